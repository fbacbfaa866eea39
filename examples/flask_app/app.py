"""A small Flask backend on Smartcar API v3: Connect, a live vehicle table, lock/unlock, webhooks.

Routes:
    ``/``           a "Connect your car" button
    ``/login``      redirects to Smartcar Connect with a random ``state`` kept in the session
    ``/callback``   checks ``state``, then keeps the ``user_id`` of the redirect (approve) or
                    explains (deny); no code exchange in v3
    ``/vehicles``   a table of the user's vehicles (metric or imperial), with what webhooks pushed
    ``POST /vehicles/<id>/lock`` and ``/unlock``   v3 commands, protected by a CSRF token
    ``POST /webhooks/smartcar``   the webhook endpoint (signed deliveries, VERIFY, duplicates)
    ``/live``       JSON of what webhooks pushed for the signed-in user (the page polls it)
    ``/logout``     forgets the user in this browser

One application token serves every user: the SDK fetches it and keeps it in the SQLite token
store, which every worker process shares. Configuration comes from environment variables (see
:func:`settings_from_env`); the Smartcar origins from ``SMARTCAR_*_ORIGIN`` through
:mod:`smartcar.const`.
"""

from __future__ import annotations

import logging
import os
import secrets
import sqlite3
from typing import Any, Dict, List, Mapping, NamedTuple, Optional, Tuple, Union

from flask import (
    Flask,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response

import smartcar
import smartcar.v3
from examples.flask_app import dashboard
from examples.flask_app.dashboard import make_name
from examples.flask_app.live import LiveState
from examples.flask_app.redaction import ErrorText
from smartcar.tokens import SQLiteStore
from smartcar.webhooks import Receiver, SQLiteSeenSet

__all__ = ["DEFAULT_SCOPE", "REQUIRED_SETTINGS", "create_app", "make_name", "settings_from_env"]

log = logging.getLogger(__name__)

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
# config key -> environment variable
_ENV_KEYS = {
    **{name: name for name in REQUIRED_SETTINGS},
    "SMARTCAR_SCOPE": "SMARTCAR_SCOPE",
    "SMARTCAR_MODE": "SMARTCAR_MODE",
    "SMARTCAR_WEBHOOK_ID": "SMARTCAR_WEBHOOK_ID",
    "SECRET_KEY": "FLASK_SECRET_KEY",
    "TOKEN_DB": "TOKEN_DB",
}
WEBHOOK_PATH = "/webhooks/smartcar"
COMMAND_ERRORS = (
    smartcar.StateException,
    smartcar.VehicleNotCapableException,
    smartcar.SmartcarNotCapableException,
    smartcar.PermissionException,
    smartcar.GatewayTimeoutException,
)


def settings_from_env(environ: Optional[Mapping[str, str]] = None) -> Dict[str, Any]:
    """Read the app settings from environment variables.

    Required: ``SMARTCAR_CLIENT_ID`` and ``SMARTCAR_CLIENT_SECRET`` (the API credential,
    ``client_…``), ``SMARTCAR_APPLICATION_ID`` (what Connect calls ``client_id``),
    ``SMARTCAR_REDIRECT_URI`` and ``SMARTCAR_MANAGEMENT_TOKEN`` (signs the webhooks).
    Optional: ``SMARTCAR_SCOPE`` (space separated), ``SMARTCAR_MODE`` (``live``,
    ``simulated`` or ``test``), ``SMARTCAR_WEBHOOK_ID`` (subscribe each newly connected
    vehicle to it), ``FLASK_SECRET_KEY`` (signs the session cookie) and ``TOKEN_DB`` (the
    SQLite file of the application token, the seen webhook events and the pushed state).
    """
    env = os.environ if environ is None else environ
    return {key: env[name] for key, name in _ENV_KEYS.items() if env.get(name)}


def create_app(config: Optional[Mapping[str, Any]] = None) -> Flask:
    """Build the Flask app; ``config`` overrides the settings read from the environment.

    Raises:
        RuntimeError: a required setting is missing, or ``SMARTCAR_MODE`` is not one of
            live, simulated, test.
    """
    app = Flask(__name__)
    app.config.update(
        SMARTCAR_SCOPE=" ".join(DEFAULT_SCOPE),
        SMARTCAR_MODE="live",
        SMARTCAR_WEBHOOK_ID=None,
        TOKEN_DB="smartcar_example.sqlite3",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        MAX_CONTENT_LENGTH=6 * 1024 * 1024,  # the receiver itself refuses more than 5 MiB
    )
    app.config.update(settings_from_env())
    if config:
        app.config.update(config)
    missing = [key for key in REQUIRED_SETTINGS if not app.config.get(key)]
    if missing:
        raise RuntimeError(
            f"missing settings: {', '.join(missing)}. Set them as environment variables, "
            "or run `python -m examples.flask_app` to use the local emulator."
        )
    if app.config["SMARTCAR_MODE"] not in ("live", "simulated", "test"):
        raise RuntimeError("SMARTCAR_MODE must be live, simulated or test")
    if not app.config.get("SECRET_KEY"):
        log.warning("FLASK_SECRET_KEY is not set: using a random key (sessions end on restart)")
        app.config["SECRET_KEY"] = secrets.token_hex(32)

    database = str(app.config["TOKEN_DB"])
    client = smartcar.v3.Client(
        app.config["SMARTCAR_CLIENT_ID"],
        app.config["SMARTCAR_CLIENT_SECRET"],
        application_id=app.config["SMARTCAR_APPLICATION_ID"],
        redirect_uri=app.config["SMARTCAR_REDIRECT_URI"],
        token_store=SQLiteStore(database),
    )
    management_token = app.config["SMARTCAR_MANAGEMENT_TOKEN"]
    app.extensions["smartcar"] = SmartcarState(
        client,
        Receiver(management_token, seen=SQLiteSeenSet(database)),
        LiveState(database),
        ErrorText(
            app.config["SMARTCAR_CLIENT_ID"],
            app.config["SMARTCAR_CLIENT_SECRET"],
            others=(management_token,),
        ),
    )
    _register_routes(app)
    _register_webhook_routes(app)
    _register_error_handlers(app)
    return app


class SmartcarState(NamedTuple):
    """What the views share: the v3 client, the webhook receiver, the pushed state, and the
    redaction of every error text the app shows or logs."""

    client: smartcar.v3.Client
    receiver: Receiver
    live: LiveState
    errors: ErrorText


def _state() -> SmartcarState:
    state: SmartcarState = current_app.extensions["smartcar"]
    return state


def _shown(error: BaseException) -> str:
    """The text of ``error`` as the app may show or log it: credentials redacted."""
    return _state().errors.of(error, _request_secrets())


def _request_secrets() -> List[Optional[str]]:
    """Secrets the current request carries (a ``code`` on ``/callback``)."""
    return [request.args.get("code")]


def _scope(value: Union[str, List[str], Tuple[str, ...]]) -> List[str]:
    return value.split() if isinstance(value, str) else list(value)


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


def _wants_json() -> bool:
    return request.accept_mimetypes.best == "application/json"


def _signed_in_user() -> Optional[str]:
    user_id = session.get("user_id")
    return user_id if isinstance(user_id, str) else None


def _register_routes(app: Flask) -> None:
    app.jinja_env.globals["csrf_token"] = _csrf_token

    @app.get("/")
    def index() -> str:
        return render_template("index.html", connected=_signed_in_user() is not None)

    @app.get("/login")
    def login() -> Response:
        state = secrets.token_urlsafe(24)
        session["oauth_state"] = state
        url = _state().client.get_auth_url(
            _scope(current_app.config["SMARTCAR_SCOPE"]),
            state=state,
            mode=current_app.config["SMARTCAR_MODE"],
        )
        return redirect(url)

    @app.get("/callback")
    def callback() -> Union[str, Tuple[str, int], Response]:
        expected = session.pop("oauth_state", None)
        given = request.args.get("state", "")
        if not isinstance(expected, str) or not secrets.compare_digest(expected, given):
            return _problem(
                400,
                "This sign-in link is not valid",
                "It does not match the connection you started in this browser, "
                "or it was already used. Please connect your car again.",
                reconnect=True,
            )
        try:
            redirected = smartcar.v3.parse_redirect(request.query_string.decode("latin-1"))
        except smartcar.ConnectException as error:
            if error.error == "access_denied":
                return render_template("denied.html")
            description = _state().errors.text(
                error.description or error.error or "", _request_secrets()
            )
            return _problem(
                400, "Connect did not finish", f"Smartcar said: {description}", reconnect=True
            )
        except ValueError:
            redirected = {}
        user_id = redirected.get("user_id")
        if not user_id:
            return _problem(
                400,
                "Connect did not finish",
                "Smartcar sent no user id back. Please connect your car again.",
                reconnect=True,
            )
        units = session.get("units")
        session.clear()  # nothing of an earlier visitor survives a new sign-in
        session.update(user_id=user_id, units=units)
        _subscribe_vehicles(user_id)
        return redirect(url_for("vehicles"))

    @app.get("/vehicles")
    def vehicles() -> Union[str, Response]:
        user_id = _signed_in_user()
        if user_id is None:
            return redirect(url_for("index"))
        units = _units()
        state = _state()
        ids = dashboard.vehicle_ids(state.client, user_id, current_app.config["SMARTCAR_MODE"])
        rows = [
            dashboard.vehicle_row(state.client.vehicle(vehicle_id, user_id, units), _shown)
            for vehicle_id in ids
        ]
        session["labels"] = {row["id"]: row["label"] for row in rows}
        return render_template(
            "vehicles.html", rows=rows, units=units, live=state.live.snapshot(user_id)
        )

    @app.post("/vehicles/<vehicle_id>/<action>")
    def command(vehicle_id: str, action: str) -> Union[Response, Tuple[Response, int]]:
        """Lock or unlock. A plain form post is redirected back to the table with a flash
        message; the page's script posts the same form asking for JSON and stays put, so
        the doors change when the webhook says they did."""
        if action not in ("lock", "unlock"):
            abort(404)
        _check_csrf()
        user_id = _signed_in_user()
        if user_id is None:
            if _wants_json():
                return jsonify({"ok": False, "message": "Please sign in again."}), 401
            return redirect(url_for("index"))
        labels = session.get("labels") or {}
        label = labels.get(vehicle_id, "The vehicle")
        vehicle = _state().client.vehicle(vehicle_id, user_id)
        send = vehicle.lock if action == "lock" else vehicle.unlock
        try:
            send()
        except COMMAND_ERRORS as error:
            ok, message = False, f"{label} could not {action}: {dashboard.describe(error, _shown)}"
        else:
            ok, message = True, f"{label} is now {action}ed."
        if _wants_json():
            return jsonify({"ok": ok, "message": message, "action": action}), 200
        flash(message, "success" if ok else "error")
        return redirect(url_for("vehicles"))

    @app.post("/logout")
    def logout() -> Response:
        _check_csrf()
        session.clear()
        return redirect(url_for("index"))


def _subscribe_vehicles(user_id: str) -> None:
    """Subscribe each of the user's vehicles to ``SMARTCAR_WEBHOOK_ID``, when it is set (a
    webhook with auto-subscribe on needs none of this)."""
    webhook_id = current_app.config.get("SMARTCAR_WEBHOOK_ID")
    if not webhook_id:
        return
    client = _state().client
    try:
        for vehicle_id in dashboard.vehicle_ids(
            client, user_id, current_app.config["SMARTCAR_MODE"]
        ):
            try:
                client.subscribe(webhook_id, vehicle_id=vehicle_id, user_id=user_id)
            except smartcar.SmartcarException as error:
                if error.status_code != 409:  # 409: already subscribed
                    raise
    except smartcar.SmartcarException as error:
        log.warning("could not subscribe the vehicles to the webhook: %s", _shown(error))
        flash("Live updates could not be turned on for your vehicles.", "error")


def _register_webhook_routes(app: Flask) -> None:
    @app.post(WEBHOOK_PATH)
    def smartcar_webhook() -> Tuple[Response, int]:
        state = _state()
        status, body, event = state.receiver.handle(request.headers, request.get_data())
        if event is not None:
            try:
                state.live.record(event)
            except sqlite3.Error as error:
                # Not stored: un-see it and answer 500, so Smartcar's retry is handed over again.
                if event.event_id is not None:
                    state.receiver.forget(event.event_id)
                log.error("could not store webhook event: %s", state.errors.of(error))
                return jsonify({"error": "not stored, please retry"}), 500
        if status != 200:
            log.warning("webhook delivery refused with %s: %s", status, body.get("error"))
        return jsonify(body), status

    @app.get("/live")
    def live() -> Tuple[Response, int]:
        user_id = _signed_in_user()
        if user_id is None:
            return jsonify({"error": "not signed in"}), 401
        response = jsonify(_state().live.snapshot(user_id))
        response.headers["Cache-Control"] = "no-store"
        return response, 200


def _problem(status: int, title: str, message: str, *, reconnect: bool = False) -> Tuple[str, int]:
    page = render_template("error.html", title=title, message=message, reconnect=reconnect)
    return page, status


class ErrorPage(NamedTuple):
    status: int
    title: str
    message: str
    reconnect: bool = False


def _error_page(error: smartcar.SmartcarException) -> ErrorPage:
    """Say what went wrong and what the user can do, for each kind of SDK error."""
    if isinstance(error, smartcar.AuthenticationException):
        return ErrorPage(
            502,
            "Smartcar did not accept our application",
            "The application's credentials were refused. Please try again later.",
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
    if isinstance(
        error, (smartcar.VehicleNotCapableException, smartcar.SmartcarNotCapableException)
    ):
        return ErrorPage(501, "Not supported", "Your vehicle does not support this feature.")
    if isinstance(error, smartcar.StateException):
        return ErrorPage(409, "The vehicle is busy", f"The vehicle said: {_shown(error)}.")
    if isinstance(error, smartcar.TokenStoreException):
        return ErrorPage(503, "Temporarily unavailable", "We could not read our access token.")
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
