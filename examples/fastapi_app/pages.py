"""The Flask example's templates (examples/flask_app/templates), rendered by FastAPI: the same
pages, with the few Flask helpers they use given their Starlette meaning.

* ``url_for(name, **values)``: the route's path; values that are not path parameters go in the
  query (``url_for('vehicles', units='imperial')``), ``url_for('static', filename=...)``
  names a file of the mounted static folder, as in Flask;
* ``csrf_token()``: the session's CSRF token (made on first use);
* ``get_flashed_messages(with_categories=true)``: the messages the last views left, once;
* ``session``: the signed session cookie's contents.
"""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Any, Dict, List, Tuple
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from jinja2 import pass_context
from starlette.routing import Route

__all__ = ["Pages", "csrf_token", "flash"]

TEMPLATES = Path(__file__).resolve().parent.parent / "flask_app" / "templates"


def csrf_token(request: Request) -> str:
    """The session's CSRF token (made on first use)."""
    token = request.session.get("csrf_token")
    if not isinstance(token, str):
        token = secrets.token_urlsafe(32)
        request.session["csrf_token"] = token
    return token


def flash(request: Request, message: str, category: str) -> None:
    """Leave ``message`` for the next page shown in this browser."""
    request.session.setdefault("flashes", []).append([category, message])


@pass_context
def _url_for(context: Any, name: str, **values: Any) -> str:
    request: Request = context["request"]
    if name == "static":
        return str(request.app.url_path_for("static", path=values["filename"]))
    route = next(
        item for item in request.app.routes if isinstance(item, Route) and item.name == name
    )
    in_path = {key: value for key, value in values.items() if key in route.param_convertors}
    query = {key: value for key, value in values.items() if key not in in_path}
    path = str(request.app.url_path_for(name, **in_path))
    return f"{path}?{urlencode(query)}" if query else path


@pass_context
def _csrf_token(context: Any) -> str:
    return csrf_token(context["request"])


@pass_context
def _flashed(context: Any, with_categories: bool = False) -> List[Any]:
    shown: List[Tuple[str, str]] = [
        tuple(item) for item in context["request"].session.pop("flashes", [])
    ]
    return shown if with_categories else [message for _, message in shown]


class Pages:
    """Renders the Flask example's templates for a FastAPI request."""

    def __init__(self) -> None:
        self.templates = Jinja2Templates(directory=str(TEMPLATES))
        self.templates.env.globals.update(
            url_for=_url_for, csrf_token=_csrf_token, get_flashed_messages=_flashed
        )

    def render(
        self, request: Request, name: str, status: int = 200, **context: Any
    ) -> HTMLResponse:
        values: Dict[str, Any] = {"session": request.session, **context}
        return self.templates.TemplateResponse(request, name, values, status_code=status)
