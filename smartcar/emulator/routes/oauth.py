"""The token endpoint (``POST /oauth/token``): code exchange and refresh with HTTP Basic
client auth, single-use codes, refresh-token rotation, OAuth error bodies."""

from __future__ import annotations

from typing import TYPE_CHECKING

from werkzeug.exceptions import HTTPException
from werkzeug.routing import Map, Rule

from smartcar.emulator import renderers
from smartcar.emulator.problems import Problem
from smartcar.emulator.routes.base import RoutedSurface, RouteTable
from smartcar.emulator.state import EmulatorState
from smartcar.emulator.web import Reply, Req, json_reply

if TYPE_CHECKING:
    pass

PATH = "/oauth/token"
# The token endpoint's one route (werkzeug's Map, as every surface module has at its top);
# problems in OAuth bodies.
ROUTES = Map([Rule(PATH, methods=["POST"], endpoint="token")])
TABLE = RouteTable(ROUTES, renderers.OAUTH)


class OAuthSurface(RoutedSurface):
    """``POST /oauth/token`` over the shared state."""

    table = TABLE

    def __init__(self, state: EmulatorState) -> None:
        self.state = state

    def handles(self, path: str) -> bool:
        return path == PATH

    def answer(self, request: Req) -> Reply:
        try:
            self.table.match(request.path, request.method)
        except HTTPException:
            raise Problem("VALIDATION", "POST", "invalid_request", status=405) from None
        return self.token(request)

    def token(self, request: Req) -> Reply:
        state = self.state
        auth = request.request.authorization
        if not (
            auth is not None
            and (auth.type or "").lower() == "basic"
            and state.app_credentials_match(auth.username, auth.password)
        ):
            raise Problem("AUTHENTICATION", "Invalid client id or client secret.", "invalid_client")
        if request.request.mimetype != "application/x-www-form-urlencoded":
            raise Problem(
                "VALIDATION",
                "The body must be application/x-www-form-urlencoded.",
                "invalid_request",
            )
        form = request.request.form
        grant_type = form.get("grant_type")
        with state.lock:
            now = state.clock.now()
            if grant_type == "authorization_code":
                code = form.get("code")
                redirect_uri = form.get("redirect_uri")
                if not code or not redirect_uri:
                    raise Problem(
                        "VALIDATION", "code and redirect_uri are required.", "invalid_request"
                    )
                record = state.codes.get(code)
                # Smartcar words every refused code alike: used, expired, unknown or bound
                # to another redirect URI.
                if (
                    record is None
                    or record.used
                    or record.client_id != state.client_id
                    or record.expires_at <= now
                    or record.redirect_uri != redirect_uri
                ):
                    raise Problem("VALIDATION", f"Invalid code: {code}.", "invalid_grant")
                record.used = True
                return json_reply(200, state.mint(record.grant))
            if grant_type == "refresh_token":
                token = form.get("refresh_token")
                if not token:
                    raise Problem("VALIDATION", "refresh_token is required.", "invalid_request")
                refresh = state.refresh_tokens.get(token)
                if refresh is not None and refresh.expires_at <= now:
                    del state.refresh_tokens[token]
                    refresh = None
                if refresh is None or not state.is_live(refresh.grant):
                    raise Problem("VALIDATION", f"Invalid refresh_token: {token}.", "invalid_grant")
                del state.refresh_tokens[token]  # rotation: the old refresh token dies
                return json_reply(200, state.mint(refresh.grant))
        if not grant_type:
            raise Problem("VALIDATION", "grant_type is required.", "invalid_request")
        raise Problem(
            "VALIDATION", f"Unsupported grant_type {grant_type}.", "unsupported_grant_type"
        )
