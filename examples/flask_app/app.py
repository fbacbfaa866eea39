"""A small Flask backend that connects a user's car through Smartcar Connect.

Routes:
    ``/``           a "Connect your car" button
    ``/login``      redirects to Smartcar Connect with a random ``state`` kept in the session
    ``/callback``   checks ``state``, then exchanges the code (approve) or explains (deny)
    ``/vehicles``   a table of the user's vehicles, in metric or imperial units
    ``POST /vehicles/<id>/lock`` and ``/unlock``   commands, protected by a CSRF token
    ``/logout``     forgets the user in this browser

Configuration comes from environment variables (see :func:`settings_from_env`); the Smartcar
origins come from ``SMARTCAR_*_ORIGIN`` through :mod:`smartcar.const`.
"""

from __future__ import annotations

import logging
import os
import secrets
from typing import Any, Callable, Dict, List, Mapping, NamedTuple, Optional, Tuple, Type, Union

from flask import (
    Flask,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response

import smartcar
from examples.flask_app.redaction import ErrorText
from smartcar.tokens import SQLiteStore, TokenManager, TokenNotFound
from smartcar.types import TokenProvider

__all__ = ["DEFAULT_SCOPE", "create_app", "make_name", "settings_from_env"]

log = logging.getLogger(__name__)

DEFAULT_SCOPE = (
    "read_vehicle_info",
    "read_odometer",
    "read_location",
    "read_fuel",
    "read_battery",
    "control_security",
)
# Makes whose usual spelling is not the title case of the API's upper-case name.
MAKE_NAMES = {
    "BMW": "BMW",
    "GMC": "GMC",
    "MINI": "MINI",
    "RAM": "RAM",
    "MERCEDES-BENZ": "Mercedes-Benz",
}
UNIT_LABELS = {
    "metric": {"distance": "km", "volume": "L"},
    "imperial": {"distance": "mi", "volume": "gal"},
}
NOT_CAPABLE = (smartcar.VehicleNotCapableException, smartcar.SmartcarNotCapableException)
# Errors shown in one cell of the vehicle table instead of failing the whole page.
CELL_ERRORS: Dict[Type[smartcar.SmartcarException], str] = {
    smartcar.VehicleNotCapableException: "Not supported by this vehicle",
    smartcar.SmartcarNotCapableException: "Not supported by Smartcar for this make",
    smartcar.PermissionException: "Permission not granted",
    smartcar.StateException: "Unavailable right now",
    smartcar.GatewayTimeoutException: "The vehicle did not answer",
}

CELL_ERROR_TYPES = tuple(CELL_ERRORS)

_ENV_KEYS = {
    "SMARTCAR_CLIENT_ID": "SMARTCAR_CLIENT_ID",
    "SMARTCAR_CLIENT_SECRET": "SMARTCAR_CLIENT_SECRET",
    "SMARTCAR_REDIRECT_URI": "SMARTCAR_REDIRECT_URI",
    "SMARTCAR_SCOPE": "SMARTCAR_SCOPE",
    "SMARTCAR_TEST_MODE": "SMARTCAR_TEST_MODE",
    "SECRET_KEY": "FLASK_SECRET_KEY",
    "TOKEN_DB": "TOKEN_DB",
}


def settings_from_env(environ: Optional[Mapping[str, str]] = None) -> Dict[str, Any]:
    """Read the app settings from environment variables.

    ``SMARTCAR_CLIENT_ID``, ``SMARTCAR_CLIENT_SECRET``, ``SMARTCAR_REDIRECT_URI`` (required);
    ``SMARTCAR_SCOPE`` (space separated), ``SMARTCAR_TEST_MODE`` (``1``/``true``),
    ``FLASK_SECRET_KEY`` (signs the session cookie) and ``TOKEN_DB`` (the SQLite file).
    """
    env = os.environ if environ is None else environ
    return {key: env[name] for key, name in _ENV_KEYS.items() if env.get(name)}


def create_app(config: Optional[Mapping[str, Any]] = None) -> Flask:
    """Build the Flask app; ``config`` overrides the settings read from the environment.

    Raises:
        RuntimeError: a required setting is missing.
    """
    app = Flask(__name__)
    app.config.update(
        SMARTCAR_SCOPE=" ".join(DEFAULT_SCOPE),
        SMARTCAR_TEST_MODE=False,
        TOKEN_DB="smartcar_tokens.sqlite3",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
    )
    app.config.update(settings_from_env())
    if config:
        app.config.update(config)
    missing = [
        key
        for key in ("SMARTCAR_CLIENT_ID", "SMARTCAR_CLIENT_SECRET", "SMARTCAR_REDIRECT_URI")
        if not app.config.get(key)
    ]
    if missing:
        raise RuntimeError(
            f"missing settings: {', '.join(missing)}. Set them as environment variables, "
            "or run `python -m examples.flask_app` to use the local emulator."
        )
    if not app.config.get("SECRET_KEY"):
        log.warning("FLASK_SECRET_KEY is not set: using a random key (sessions end on restart)")
        app.config["SECRET_KEY"] = secrets.token_hex(32)

    auth_client = smartcar.AuthClient(
        app.config["SMARTCAR_CLIENT_ID"],
        app.config["SMARTCAR_CLIENT_SECRET"],
        app.config["SMARTCAR_REDIRECT_URI"],
        scope=_scope(app.config["SMARTCAR_SCOPE"]),
        test_mode=_truthy(app.config["SMARTCAR_TEST_MODE"]),
    )
    app.extensions["smartcar"] = SmartcarState(
        auth_client,
        TokenManager(auth_client, SQLiteStore(str(app.config["TOKEN_DB"]))),
        ErrorText(app.config["SMARTCAR_CLIENT_ID"], app.config["SMARTCAR_CLIENT_SECRET"]),
    )
    _register_routes(app)
    _register_error_handlers(app)
    return app


class SmartcarState(NamedTuple):
    """What the views share: the Connect client, the token manager, and the redaction of
    every error text the app shows or logs."""

    auth_client: smartcar.AuthClient
    tokens: TokenManager
    errors: ErrorText


class Cell(NamedTuple):
    """One value of the vehicle table, or the reason it is missing."""

    text: str
    value: Optional[float] = None
    note: Optional[str] = None


def _state() -> SmartcarState:
    state: SmartcarState = current_app.extensions["smartcar"]
    return state


def _shown(error: BaseException) -> str:
    """The text of ``error`` as the app may show or log it: credentials redacted."""
    return _state().errors.of(error, _request_secrets())


def _request_secrets() -> List[Optional[str]]:
    """Secrets the current request carries (the authorization code of ``/callback``)."""
    return [request.args.get("code")]


def _scope(value: Union[str, List[str], Tuple[str, ...]]) -> List[str]:
    return value.split() if isinstance(value, str) else list(value)


def _truthy(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "yes", "on")
    return bool(value)


def _csrf_token() -> str:
    token = session.get("csrf_token")
    if not isinstance(token, str):
        token = secrets.token_urlsafe(32)
        session["csrf_token"] = token
    return token


def _check_csrf() -> None:
    expected = session.get("csrf_token")
    given = request.form.get("csrf_token", "")
    if not isinstance(expected, str) or not secrets.compare_digest(expected, given):
        abort(400, description="The form has expired. Reload the page and try again.")


def _units() -> str:
    chosen = request.args.get("units")
    if chosen in smartcar.const.UNIT_SYSTEMS:
        session["units"] = chosen
    units = session.get("units")
    return units if units in smartcar.const.UNIT_SYSTEMS else "metric"


def _register_routes(app: Flask) -> None:
    app.jinja_env.globals["csrf_token"] = _csrf_token

    @app.get("/")
    def index() -> str:
        return render_template("index.html", connected="user_id" in session)

    @app.get("/login")
    def login() -> Response:
        state = secrets.token_urlsafe(24)
        session["oauth_state"] = state
        return redirect(_state().auth_client.get_auth_url(state=state))

    @app.get("/callback")
    def callback() -> Union[str, Tuple[str, int], Response]:
        expected = session.pop("oauth_state", None)
        given = request.args.get("state", "")
        if not isinstance(expected, str) or not secrets.compare_digest(expected, given):
            return (
                render_template(
                    "error.html",
                    title="This sign-in link is not valid",
                    message="It does not match the connection you started in this browser, "
                    "or it was already used. Please connect your car again.",
                    reconnect=True,
                ),
                400,
            )
        error = request.args.get("error")
        if error == "access_denied":
            return render_template("denied.html")
        code = request.args.get("code")
        if error or not code:
            description = request.args.get("error_description") or "No authorization code."
            description = _state().errors.text(description, _request_secrets())
            return (
                render_template(
                    "error.html",
                    title="Connect did not finish",
                    message=f"Smartcar said: {description}",
                    reconnect=True,
                ),
                400,
            )
        state = _state()
        access = state.auth_client.exchange_code(code)
        user_id = smartcar.get_user_id(access["access_token"])
        state.tokens.save(user_id, access)
        units = session.get("units")
        session.clear()  # nothing of an earlier visitor survives a new sign-in
        session.update(user_id=user_id, units=units)
        return redirect(url_for("vehicles"))

    @app.get("/vehicles")
    def vehicles() -> Union[str, Response]:
        user_id = session.get("user_id")
        if not isinstance(user_id, str):
            return redirect(url_for("index"))
        units = _units()
        state = _state()
        provider = state.tokens.provider(user_id)
        ids = _all_vehicle_ids(provider)
        rows = [_vehicle_row(smartcar.Vehicle(vid, provider, units)) for vid in ids]
        session["labels"] = {row["id"]: row["label"] for row in rows}
        return render_template("vehicles.html", rows=rows, units=units)

    @app.post("/vehicles/<vehicle_id>/<action>")
    def command(vehicle_id: str, action: str) -> Response:
        if action not in ("lock", "unlock"):
            abort(404)
        _check_csrf()
        user_id = session.get("user_id")
        if not isinstance(user_id, str):
            return redirect(url_for("index"))
        labels = session.get("labels") or {}
        label = labels.get(vehicle_id, "The vehicle")
        vehicle = smartcar.Vehicle(vehicle_id, _state().tokens.provider(user_id))
        send = vehicle.lock if action == "lock" else vehicle.unlock
        try:
            send()
        except (
            smartcar.StateException,
            smartcar.VehicleNotCapableException,
            smartcar.SmartcarNotCapableException,
            smartcar.PermissionException,
            smartcar.GatewayTimeoutException,
        ) as error:
            flash(f"{label} could not {action}: {_describe(error)}", "error")
        else:
            flash(f"{label} is now {action}ed.", "success")
        return redirect(url_for("vehicles"))

    @app.post("/logout")
    def logout() -> Response:
        _check_csrf()
        session.clear()
        return redirect(url_for("index"))


def _all_vehicle_ids(provider: TokenProvider) -> List[str]:
    """Every vehicle id of the user, page by page; a token the API refuses (401) is
    refreshed once, as ``Vehicle`` does for its reads."""
    token = provider.access_token()
    try:
        return _vehicle_id_pages(token)
    except smartcar.ReauthorizationRequired:
        raise
    except smartcar.AuthenticationException as error:
        if error.status_code != 401:
            raise
        return _vehicle_id_pages(provider.refresh_access_token(token))


def _vehicle_id_pages(access_token: str) -> List[str]:
    ids: List[str] = []
    page_size = 50
    while True:
        page = smartcar.get_vehicle_ids(access_token, limit=page_size, offset=len(ids))
        ids.extend(page["vehicles"])
        if len(page["vehicles"]) < page_size:
            return ids


def _vehicle_row(vehicle: smartcar.Vehicle) -> Dict[str, Any]:
    info = vehicle.info()
    units = UNIT_LABELS[vehicle.unit_system]
    return {
        "id": vehicle.vehicle_id,
        "label": f"{info['year']} {make_name(info['make'])} {info['model']}",
        "make": make_name(info["make"]),
        "model": info["model"],
        "year": info["year"],
        "odometer": _cell(lambda: _distance(vehicle.odometer()["data"]["distance"], units)),
        "location": _cell(lambda: _location(vehicle.location()["data"])),
        "fuel": _cell(lambda: _fuel(vehicle.fuel()["data"], units)),
        "battery": _cell(lambda: _battery(vehicle.battery()["data"], units)),
    }


def make_name(make: str) -> str:
    """How people write a make the API spells in capitals: ``TESLA`` -> ``Tesla``."""
    return MAKE_NAMES.get(make.upper(), make.title())


def _cell(read: Callable[[], Cell]) -> Cell:
    try:
        cell: Cell = read()
    except CELL_ERROR_TYPES as error:
        return Cell("—", note=_describe(error))
    return cell


def _describe(error: smartcar.SmartcarException) -> str:
    for cls, text in CELL_ERRORS.items():
        if isinstance(error, cls):
            return (
                f"{text} ({_shown(error)})" if isinstance(error, smartcar.StateException) else text
            )
    return _shown(error)


def _distance(distance: float, units: Mapping[str, str]) -> Cell:
    return Cell(f"{distance:,.1f} {units['distance']}", value=distance)


def _location(data: Mapping[str, float]) -> Cell:
    latitude, longitude = data["latitude"], data["longitude"]
    return Cell(f"{latitude:.5f}, {longitude:.5f}", value=latitude)


def _fuel(data: Mapping[str, float], units: Mapping[str, str]) -> Cell:
    percent = data["percentRemaining"] * 100
    text = f"{percent:.0f}% · {data['amountRemaining']:,.1f} {units['volume']}"
    return Cell(text, value=percent, note=f"{data['range']:,.0f} {units['distance']} range")


def _battery(data: Mapping[str, float], units: Mapping[str, str]) -> Cell:
    percent = data["percentRemaining"] * 100
    return Cell(
        f"{percent:.0f}%", value=percent, note=f"{data['range']:,.0f} {units['distance']} range"
    )


class ErrorPage(NamedTuple):
    status: int
    title: str
    message: str
    reconnect: bool = False


def _error_page(error: smartcar.SmartcarException) -> ErrorPage:
    """Say what went wrong and what the user can do, for each kind of SDK error."""
    if isinstance(error, TokenNotFound):
        return ErrorPage(
            401, "Please reconnect your car", "We have no connection to your car on file.", True
        )
    if isinstance(error, smartcar.ReauthorizationRequired):
        return ErrorPage(
            401,
            "Please reconnect your car",
            "Your connection to Smartcar has expired or was revoked.",
            reconnect=True,
        )
    if isinstance(error, smartcar.AuthenticationException):
        return ErrorPage(
            401, "Please reconnect your car", "Smartcar did not accept our access.", True
        )
    if isinstance(error, smartcar.PermissionException):
        return ErrorPage(
            403,
            "Permission needed",
            "This needs a permission you have not granted. Reconnect to grant it.",
            reconnect=True,
        )
    if isinstance(error, smartcar.ValidationException):
        return ErrorPage(
            400,
            "Something did not check out",
            f"Smartcar rejected the request: {_shown(error)}. Connecting again usually fixes it.",
            reconnect=True,
        )
    if isinstance(error, smartcar.ResourceNotFoundException):
        return ErrorPage(404, "Vehicle not found", "This vehicle is no longer connected.", True)
    if isinstance(error, smartcar.RateLimitingException):
        wait = f" Try again in {error.retry_after:.0f} seconds." if error.retry_after else ""
        return ErrorPage(429, "Too many requests", f"Smartcar asked us to slow down.{wait}")
    if isinstance(error, smartcar.MonthlyLimitExceeded):
        return ErrorPage(429, "Monthly limit reached", "This vehicle's request quota is used up.")
    if isinstance(error, NOT_CAPABLE):
        return ErrorPage(501, "Not supported", "Your vehicle does not support this feature.")
    if isinstance(error, smartcar.StateException):
        return ErrorPage(409, "The vehicle is busy", f"The vehicle said: {_shown(error)}.")
    if isinstance(error, smartcar.TokenStoreException):
        return ErrorPage(503, "Temporarily unavailable", "We could not read your connection.")
    if isinstance(error, smartcar.NetworkException):
        return ErrorPage(502, "Smartcar is unreachable", "Please try again in a moment.")
    if isinstance(error, smartcar.GatewayTimeoutException):
        return ErrorPage(504, "The vehicle did not answer", "Please try again in a moment.")
    return ErrorPage(502, "Smartcar had a problem", "Please try again in a moment.")


def _register_error_handlers(app: Flask) -> None:
    @app.errorhandler(smartcar.SmartcarException)
    def smartcar_error(error: smartcar.SmartcarException) -> Tuple[str, int]:
        page = _error_page(error)
        log.warning(
            "%s on %s %s: %s (request id %s)",
            type(error).__name__,
            request.method,
            request.path,
            _shown(error),
            error.request_id,
        )
        return (
            render_template(
                "error.html",
                title=page.title,
                message=page.message,
                reconnect=page.reconnect,
                request_id=error.request_id,
            ),
            page.status,
        )

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> Tuple[str, int]:
        status = error.code or 500
        return (
            render_template("error.html", title=error.name, message=error.description),
            status,
        )

    @app.errorhandler(Exception)
    def unexpected_error(error: Exception) -> Tuple[str, int]:
        # The traceback is logged as redacted text, never through exc_info (raw).
        log.error(
            "unexpected error on %s %s\n%s",
            request.method,
            request.path,
            _state().errors.traceback(error, _request_secrets()),
        )
        return (
            render_template(
                "error.html",
                title="Something went wrong",
                message="An unexpected error happened. It has been logged.",
            ),
            500,
        )
