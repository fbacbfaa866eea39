"""The token endpoint (``POST /oauth/token``): code exchange and refresh with HTTP Basic
client auth, single-use codes, refresh-token rotation, OAuth error bodies."""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterable, Optional

from werkzeug.exceptions import HTTPException
from werkzeug.routing import Map, Rule

from smartcar.emulator.state import EmulatorState
from smartcar.emulator.web import Reply, Req, json_reply, raw_reply

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIEnvironment

    from smartcar.emulator.faults import Fault

PATH = "/oauth/token"
# The token endpoint's one route (werkzeug's Map, as every surface module has at its top).
ROUTES = Map([Rule(PATH, methods=["POST"], endpoint="token")])


class OAuthError(Exception):
    """An OAuth error answer ``{"error", "error_description"}``."""

    def __init__(self, status: int, error: str, description: str) -> None:
        super().__init__(description)
        self.status = status
        self.error = error
        self.description = description

    def reply(self) -> Reply:
        headers = {"WWW-Authenticate": 'Basic realm="smartcar"'} if self.status == 401 else {}
        payload = {"error": self.error, "error_description": self.description}
        return json_reply(self.status, payload, headers)


class OAuthSurface:
    """``POST /oauth/token`` over the shared state."""

    def __init__(self, state: EmulatorState) -> None:
        self.state = state

    def handles(self, path: str) -> bool:
        return path == PATH

    def vehicle_id(self, path: str) -> Optional[str]:
        return None

    def render_fault(self, fault: Fault) -> Reply:
        return raw_reply(*fault.render(oauth=True))

    def rate_limited(self, retry_after: int) -> Reply:  # pragma: no cover - no vehicle paths
        return OAuthError(429, "rate_limited", "Too many requests.").reply()

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        request = Req.of(environ)
        try:
            ROUTES.bind("emulator").match(request.path, method=request.method)
        except HTTPException:
            reply = json_reply(405, {"error": "invalid_request", "error_description": "POST"})
            return reply.send(start_response)
        try:
            reply = self.token(request)
        except OAuthError as exc:
            reply = exc.reply()
        except Exception as exc:
            reply = json_reply(500, {"error": "server_error", "message": f"Emulator bug: {exc!r}"})
        return reply.send(start_response)

    def token(self, request: Req) -> Reply:
        state = self.state
        auth = request.request.authorization
        if not (
            auth is not None
            and (auth.type or "").lower() == "basic"
            and state.app_credentials_match(auth.username, auth.password)
        ):
            raise OAuthError(401, "invalid_client", "Invalid client id or client secret.")
        if request.request.mimetype != "application/x-www-form-urlencoded":
            raise OAuthError(
                400, "invalid_request", "The body must be application/x-www-form-urlencoded."
            )
        form = request.request.form
        grant_type = form.get("grant_type")
        with state.lock:
            now = state.clock.now()
            if grant_type == "authorization_code":
                code = form.get("code")
                redirect_uri = form.get("redirect_uri")
                if not code or not redirect_uri:
                    raise OAuthError(400, "invalid_request", "code and redirect_uri are required.")
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
                    raise OAuthError(400, "invalid_grant", f"Invalid code: {code}.")
                record.used = True
                return json_reply(200, state.mint(record.grant))
            if grant_type == "refresh_token":
                token = form.get("refresh_token")
                if not token:
                    raise OAuthError(400, "invalid_request", "refresh_token is required.")
                refresh = state.refresh_tokens.get(token)
                if refresh is not None and refresh.expires_at <= now:
                    del state.refresh_tokens[token]
                    refresh = None
                if refresh is None or not refresh.grant.active:
                    raise OAuthError(400, "invalid_grant", f"Invalid refresh_token: {token}.")
                del state.refresh_tokens[token]  # rotation: the old refresh token dies
                return json_reply(200, state.mint(refresh.grant))
        if not grant_type:
            raise OAuthError(400, "invalid_request", "grant_type is required.")
        raise OAuthError(400, "unsupported_grant_type", f"Unsupported grant_type {grant_type}.")
