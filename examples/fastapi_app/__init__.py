"""The FastAPI example: ``python -m examples.fastapi_app`` (or ``make example-fastapi``)."""

from __future__ import annotations

from examples.fastapi_app.app import create_app

__all__ = ["create_app"]
