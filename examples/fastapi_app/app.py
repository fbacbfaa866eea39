"""A small FastAPI backend on Smartcar API v3 with ``smartcar.v3.AsyncClient``: the story of
the Flask example (examples/flask_app), on asyncio.

Routes:
    ``/``           a "Connect your car" button
    ``/login``      redirects to Smartcar Connect with a random ``state`` kept in the session
    ``/callback``   checks ``state``, then keeps the ``user_id`` of the redirect (approve) or
                    explains (deny)
    ``/vehicles``   a table of the user's vehicles (metric or imperial), every vehicle read at
                    the same time (``asyncio.gather``), with what webhooks pushed
    ``POST /vehicles/{id}/lock`` and ``/unlock``   v3 commands, protected by a CSRF token
    ``POST /webhooks/smartcar``   the webhook endpoint (``Receiver.ahandle``: its seen-set's
                    SQLite I/O runs on a worker thread, never on the event loop)
    ``/live``       JSON of what webhooks pushed for the signed-in user (the page polls it)
    ``POST /logout`` forgets the user in this browser

The pages (templates, script, style), the vehicle table, the pushed state and the redaction
of error text are the Flask example's own (none of those modules uses Flask; see
:mod:`examples.fastapi_app.pages`); their SQLite work runs off the loop (``to_thread``).
"""

from __future__ import annotations

import asyncio
import logging
import os
import secrets
import sqlite3
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, AsyncIterator, Dict, List, Mapping, NamedTuple, Optional, Tuple
from urllib.parse import parse_qs

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.middleware.sessions import SessionMiddleware

import smartcar
import smartcar.v3
from examples.fastapi_app.pages import Pages, flash
from examples.flask_app import dashboard
from examples.flask_app.live import LiveState
from examples.flask_app.redaction import ErrorText
from smartcar.tokens import SQLiteStore
from smartcar.webhooks import Receiver, SQLiteSeenSet

__all__ = ["DEFAULT_SCOPE", "REQUIRED_SETTINGS", "WEBHOOK_PATH", "create_app", "settings_from_env"]

log = logging.getLogger(__name__)

STATIC = Path(__file__).resolve().parent.parent / "flask_app" / "static"
DEFAULT_SCOPE = (
    "read_vehicle_info",
    "read_odometer",
    "read_location",
    "read_fuel",
    "read_battery",
    "read_security",
    "control_security",
)
REQUIRED_SETTINGS = (
    "SMARTCAR_CLIENT_ID",
    "SMARTCAR_CLIENT_SECRET",
    "SMARTCAR_APPLICATION_ID",
    "SMARTCAR_REDIRECT_URI",
    "SMARTCAR_MANAGEMENT_TOKEN",
)
_OPTIONAL = ("SMARTCAR_SCOPE", "SMARTCAR_MODE", "SESSION_SECRET", "TOKEN_DB")
WEBHOOK_PATH = "/webhooks/smartcar"
COMMAND_ERRORS = (
    smartcar.StateException,
    smartcar.VehicleNotCapableException,
    smartcar.SmartcarNotCapableException,
    smartcar.PermissionException,
    smartcar.GatewayTimeoutException,
)


def settings_from_env(environ: Optional[Mapping[str, str]] = None) -> Dict[str, str]:
    """The settings in the environment: the five of ``REQUIRED_SETTINGS``, and
    ``SMARTCAR_SCOPE``, ``SMARTCAR_MODE``, ``SESSION_SECRET``, ``TOKEN_DB``."""
    env = os.environ if environ is None else environ
    return {name: env[name] for name in (*REQUIRED_SETTINGS, *_OPTIONAL) if env.get(name)}


class State(NamedTuple):
    """What the views share."""

    client: smartcar.v3.AsyncClient
    receiver: Receiver
    live: LiveState
    errors: ErrorText
    scope: List[str]
    mode: str


def create_app(config: Optional[Mapping[str, Any]] = None) -> FastAPI:
    """Build the app; ``config`` overrides the settings read from the environment.

    Raises:
        RuntimeError: a required setting is missing, or a bad ``SMARTCAR_MODE``.
    """
    settings: Dict[str, Any] = {
        "SMARTCAR_SCOPE": " ".join(DEFAULT_SCOPE),
        "SMARTCAR_MODE": "live",
        "TOKEN_DB": "smartcar_example.sqlite3",
        **settings_from_env(),
        **(config or {}),
    }
    missing = [name for name in REQUIRED_SETTINGS if not settings.get(name)]
    if missing:
        raise RuntimeError(
            f"missing settings: {', '.join(missing)}. Set them as environment variables, "
            "or run `python -m examples.fastapi_app` to use the local emulator."
        )
    if settings["SMARTCAR_MODE"] not in ("live", "simulated", "test"):
        raise RuntimeError("SMARTCAR_MODE must be live, simulated or test")
    database = str(settings["TOKEN_DB"])
    management_token = settings["SMARTCAR_MANAGEMENT_TOKEN"]
    client = smartcar.v3.AsyncClient(
        settings["SMARTCAR_CLIENT_ID"],
        settings["SMARTCAR_CLIENT_SECRET"],
        application_id=settings["SMARTCAR_APPLICATION_ID"],
        redirect_uri=settings["SMARTCAR_REDIRECT_URI"],
        token_store=SQLiteStore(database),
    )
    state = State(
        client,
        Receiver(management_token, seen=SQLiteSeenSet(database)),
        LiveState(database),
        ErrorText(
            settings["SMARTCAR_CLIENT_ID"],
            settings["SMARTCAR_CLIENT_SECRET"],
            others=(management_token,),
        ),
        str(settings["SMARTCAR_SCOPE"]).split(),
        str(settings["SMARTCAR_MODE"]),
    )

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield
        await client.aclose()  # the connection pool the client made

    app = FastAPI(lifespan=lifespan, docs_url=None, redoc_url=None, openapi_url=None)
    app.state.smartcar = state
    session_secret = settings.get("SESSION_SECRET") or secrets.token_hex(32)
    app.add_middleware(SessionMiddleware, secret_key=session_secret, same_site="lax")
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    _routes(app, state, Pages())
    return app


def _routes(app: FastAPI, state: State, pages: Pages) -> None:
    page = pages.render

    def problem(
        request: Request, status: int, title: str, message: str, **context: Any
    ) -> HTMLResponse:
        return page(request, "error.html", status, title=title, message=message, **context)

    def shown(error: BaseException, request: Request) -> str:
        return state.errors.of(error, [request.query_params.get("code")])

    @app.exception_handler(smartcar.SmartcarException)
    async def smartcar_error(request: Request, error: Exception) -> Response:
        assert isinstance(error, smartcar.SmartcarException)
        status, title, message, reconnect = _error_page(error)
        log.warning("%s on %s: %s", type(error).__name__, request.url.path, shown(error, request))
        return problem(
            request, status, title, message, reconnect=reconnect, request_id=error.request_id
        )

    @app.get("/", name="index")
    async def index(request: Request) -> HTMLResponse:
        return page(request, "index.html", connected=_user(request) is not None)

    @app.get("/login", name="login")
    async def login(request: Request) -> RedirectResponse:
        csrf_state = secrets.token_urlsafe(24)
        request.session["oauth_state"] = csrf_state
        url = state.client.get_auth_url(state.scope, state=csrf_state, mode=state.mode)
        return RedirectResponse(url, status_code=302)

    @app.get("/callback", name="callback")
    async def callback(request: Request) -> Response:
        expected = request.session.pop("oauth_state", None)
        given = request.query_params.get("state", "")
        if not isinstance(expected, str) or not secrets.compare_digest(expected, given):
            return problem(
                request,
                400,
                "This sign-in link is not valid",
                "It does not match the connection you started in this browser, "
                "or it was already used. Please connect your car again.",
                reconnect=True,
            )
        try:
            redirected = smartcar.v3.parse_redirect(request.url.query)
        except smartcar.ConnectException as error:
            if error.error == "access_denied":
                return page(request, "denied.html")
            return problem(
                request, 400, "Connect did not finish", shown(error, request), reconnect=True
            )
        user_id = redirected.get("user_id")
        if not user_id:
            return problem(request, 400, "Connect did not finish", "Smartcar sent no user id.")
        units = request.session.get("units")
        request.session.clear()
        request.session.update(user_id=user_id, units=units)
        return RedirectResponse(request.url_for("vehicles"), status_code=302)

    @app.get("/vehicles", name="vehicles")
    async def vehicles(request: Request) -> Response:
        user_id = _user(request)
        if user_id is None:
            return RedirectResponse(request.url_for("index"), status_code=302)
        units = _units(request)
        ids = [
            connection["vehicle_id"]
            async for connection in state.client.connections(
                user_id=user_id, mode=state.mode, page_size=100
            )
            if connection["vehicle_id"]
        ]
        rows = await asyncio.gather(
            *(
                _vehicle_row(state.client.vehicle(vehicle_id, user_id, units), request, shown)
                for vehicle_id in dict.fromkeys(ids)
            )
        )
        request.session["labels"] = {row["id"]: row["label"] for row in rows}
        live = await asyncio.to_thread(state.live.snapshot, user_id)
        return page(request, "vehicles.html", rows=rows, units=units, live=live)

    @app.post("/vehicles/{vehicle_id}/{action}", name="command")
    async def command(request: Request, vehicle_id: str, action: str) -> Response:
        if action not in ("lock", "unlock"):
            return problem(request, 404, "Not Found", "No such command.")
        form = parse_qs((await request.body()).decode("latin-1"))
        if not _csrf_ok(request, form):
            return problem(request, 400, "Bad Request", "The form has expired. Reload the page.")
        user_id = _user(request)
        json_wanted = "application/json" in request.headers.get("accept", "")
        if user_id is None:
            if json_wanted:
                return JSONResponse({"ok": False, "message": "Please sign in again."}, 401)
            return RedirectResponse(request.url_for("index"), status_code=303)
        label = (request.session.get("labels") or {}).get(vehicle_id, "The vehicle")
        vehicle = state.client.vehicle(vehicle_id, user_id)
        try:
            await (vehicle.lock() if action == "lock" else vehicle.unlock())
        except COMMAND_ERRORS as error:
            reason = dashboard.describe(error, lambda e: shown(e, request))
            ok, message = False, f"{label} could not {action}: {reason}"
        else:
            ok, message = True, f"{label} is now {action}ed."
        if json_wanted:
            return JSONResponse({"ok": ok, "message": message, "action": action})
        flash(request, message, "success" if ok else "error")
        return RedirectResponse(request.url_for("vehicles"), status_code=303)

    @app.post("/logout", name="logout")
    async def logout(request: Request) -> Response:
        form = parse_qs((await request.body()).decode("latin-1"))
        if not _csrf_ok(request, form):
            return problem(request, 400, "Bad Request", "The form has expired. Reload the page.")
        request.session.clear()
        return RedirectResponse(request.url_for("index"), status_code=303)

    @app.post(WEBHOOK_PATH, name="smartcar_webhook")
    async def smartcar_webhook(request: Request) -> JSONResponse:
        status, body, event = await state.receiver.ahandle(request.headers, await request.body())
        if event is not None:
            try:
                await asyncio.to_thread(state.live.record, event)
            except sqlite3.Error as error:
                # Not stored: un-see it and answer 500, so Smartcar's retry is handed over.
                if event.event_id is not None:
                    await state.receiver.aforget(event.event_id)
                log.error("could not store webhook event: %s", state.errors.of(error))
                return JSONResponse({"error": "not stored, please retry"}, 500)
        if status != 200:
            log.warning("webhook delivery refused with %s: %s", status, body.get("error"))
        return JSONResponse(body, status)

    @app.get("/live", name="live")
    async def live(request: Request) -> JSONResponse:
        user_id = _user(request)
        if user_id is None:
            return JSONResponse({"error": "not signed in"}, 401)
        snapshot = await asyncio.to_thread(state.live.snapshot, user_id)
        return JSONResponse(snapshot, headers={"Cache-Control": "no-store"})


class _Fetched:
    """A vehicle whose ``info()`` and ``snapshot()`` were already awaited, for the Flask
    example's row builder (``dashboard.vehicle_row``)."""

    def __init__(
        self,
        vehicle: smartcar.v3.AsyncVehicle,
        info: Any,
        snapshot: Any,
        failure: Optional[BaseException],
    ) -> None:
        self.vehicle_id = vehicle.vehicle_id
        self.unit_system = vehicle.unit_system
        self._info, self._snapshot, self._failure = info, snapshot, failure

    def info(self) -> Any:
        return self._info

    def snapshot(self) -> Any:
        if self._failure is not None:
            raise self._failure
        return self._snapshot


async def _vehicle_row(
    vehicle: smartcar.v3.AsyncVehicle, request: Request, shown: Any
) -> Dict[str, Any]:
    info = await vehicle.info()
    snapshot: Any = None
    failure: Optional[BaseException] = None
    try:
        snapshot = await vehicle.snapshot()
    except dashboard.CELL_ERROR_TYPES as error:  # e.g. asleep: every cell says why
        failure = error
    fetched: Any = _Fetched(vehicle, info, snapshot, failure)
    return dashboard.vehicle_row(fetched, lambda error: shown(error, request))


def _user(request: Request) -> Optional[str]:
    user_id = request.session.get("user_id")
    return user_id if isinstance(user_id, str) else None


def _units(request: Request) -> str:
    chosen = request.query_params.get("units")
    if chosen in smartcar.const.UNIT_SYSTEMS:
        request.session["units"] = chosen
    units = request.session.get("units")
    return units if units in smartcar.const.UNIT_SYSTEMS else "metric"


def _csrf_ok(request: Request, form: Mapping[str, List[str]]) -> bool:
    expected = request.session.get("csrf_token")
    given = (form.get("csrf_token") or [""])[0]
    return isinstance(expected, str) and secrets.compare_digest(expected, given)


def _error_page(error: smartcar.SmartcarException) -> Tuple[int, str, str, bool]:
    """``(status, title, message, reconnect)`` for each kind of SDK error."""
    if isinstance(error, smartcar.AuthenticationException):
        return 502, "Smartcar did not accept our application", "Please try again later.", False
    if isinstance(error, smartcar.PermissionException):
        return 403, "Permission needed", "Reconnect to grant the permission this needs.", True
    if isinstance(error, smartcar.ResourceNotFoundException):
        return 404, "Vehicle not found", "This vehicle is no longer connected.", True
    if isinstance(error, (smartcar.RateLimitingException, smartcar.MonthlyLimitExceeded)):
        return 429, "Too many requests", "Smartcar asked us to slow down.", False
    if isinstance(error, smartcar.NetworkException):
        return 502, "Smartcar is unreachable", "Please try again in a moment.", False
    return 502, "Smartcar had a problem", "Please try again in a moment.", False
