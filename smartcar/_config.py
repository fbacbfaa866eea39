"""The SDK's configuration in force (for now: the API version)."""

from __future__ import annotations

__all__ = ["DEFAULT_API_VERSION", "api_version"]

DEFAULT_API_VERSION = "1.0"


def api_version() -> str:
    """Return the API version in force, e.g. ``"1.0"``."""
    return DEFAULT_API_VERSION
