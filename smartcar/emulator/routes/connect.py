"""Connect (``/oauth/authorize`` and its form posts), in the steps of Smartcar's hosted
pages: the introduction, the brand list (skipped with ``make`` or ``single_select_vin``),
the OEM-style sign-in, the permissions, then a redirect with a code (or an error) to the
app. In test mode (``mode=test`` or ``simulated``) each brand gives its test vehicle. Also
the index page at ``/``. Problems are shown as HTML error pages (400)."""

from __future__ import annotations

import secrets
import uuid
from datetime import timedelta
from typing import TYPE_CHECKING, Callable, Dict, List, Optional
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from werkzeug.exceptions import HTTPException, MethodNotAllowed
from werkzeug.routing import Map, Rule

from smartcar.emulator import pages, renderers
from smartcar.emulator.fleet import MAKES, WMI_MAKES, is_simulated_vin, simulated_make
from smartcar.emulator.permissions import DEFAULT_SCOPE, ordered, parse_scope
from smartcar.emulator.problems import Problem
from smartcar.emulator.routes.base import RoutedSurface, RouteTable
from smartcar.emulator.state import (
    CODE_LIFETIME,
    CONNECT_SESSION_LIFETIME,
    AuthCode,
    ConnectSession,
    EmulatorState,
    Grant,
    normal_email,
)
from smartcar.emulator.vin import VIN_ALPHABET
from smartcar.emulator.web import Reply, Req, html_reply, redirect_reply

if TYPE_CHECKING:
    pass


# The Connect pages and their form posts: a path leads to its step in one look (the
# endpoint names the ConnectSurface method; the form posts carry the session id).
ROUTES = Map(
    [
        Rule("/", methods=["GET"], endpoint="index"),
        Rule("/oauth/authorize", methods=["GET"], endpoint="authorize"),
        Rule("/oauth/authorize/continue", methods=["POST"], endpoint="intro_done"),
        Rule("/oauth/authorize/brand", methods=["POST"], endpoint="brand"),
        Rule("/oauth/authorize/login", methods=["POST"], endpoint="login"),
        Rule("/oauth/authorize/grant", methods=["POST"], endpoint="decide"),
    ],
    strict_slashes=False,
)
TABLE = RouteTable(ROUTES, renderers.CONNECT)  # problems are HTML error pages (400)


class ConnectSurface(RoutedSurface):
    """The Connect pages over the shared state."""

    table = TABLE

    def __init__(self, state: EmulatorState) -> None:
        self.state = state

    def handles(self, path: str) -> bool:
        return path == "/" or path == "/oauth/authorize" or path.startswith("/oauth/authorize/")

    def answer(self, request: Req) -> Reply:
        try:
            endpoint, _ = self.table.match(request.path, request.method)
        except MethodNotAllowed:
            raise connect_problem(
                "Method not allowed", "Use the Connect pages and forms."
            ) from None
        except HTTPException:
            raise connect_problem("Not found", "This Connect page does not exist.") from None
        if endpoint == "index":
            return html_reply(200, pages.index_page("See the README's Emulator section."))
        with self.state.lock:
            if endpoint == "authorize":
                return self.authorize(request)
            session = self.session(request.request.form.get("sid", ""))
            step: Callable[[Req, ConnectSession], Reply] = getattr(self, endpoint)
            return step(request, session)

    def intro_done(self, request: Req, session: ConnectSession) -> Reply:
        return html_reply(200, self.after_intro(session))

    def brand(self, request: Req, session: ConnectSession) -> Reply:
        make = request.request.form.get("make", "").upper()
        offered = make in MAKES or (make == pages.ALL_MAKES and not session.test_mode)
        if not offered:
            raise connect_problem("Unknown brand", f"{make or 'No brand'} is not offered.")
        session.make = make
        return html_reply(200, pages.login_page(session.sid, make, session.test_mode))

    def session(self, sid: str) -> ConnectSession:
        sessions = self.state.sessions
        session = sessions.get(sid)
        if session is None or session.expires_at <= self.state.clock.now():
            sessions.pop(sid, None)
            raise connect_problem(
                "Session expired", "This Connect session is unknown or expired. Start again."
            )
        return session

    def authorize(self, request: Req) -> Reply:
        state = self.state
        args = request.args
        # A v3 app names its Application ID (as client_id, or application_id as the JS SDK
        # sends it); the redirect then carries user_id (spec section 2.3).
        client_id = args.get("client_id") or args.get("application_id")
        v3_app = client_id == state.application_id
        if not client_id or (client_id != state.client_id and not v3_app):
            raise connect_problem("Unknown application", "The client_id is missing or unknown.")
        redirect_uri = args.get("redirect_uri")
        if v3_app and not redirect_uri:
            redirect_uri = state.redirect_uris[0]  # the Dashboard's default URI
        if not redirect_uri or redirect_uri not in state.redirect_uris:
            raise connect_problem(
                "Invalid redirect URI",
                "The redirect_uri is missing or is not registered for this application.",
            )
        response_type = args.get("response_type", "code" if v3_app else None)
        if response_type != "code" and not (v3_app and response_type == "none"):
            allowed = "'code' or 'none'" if v3_app else "'code'"
            raise connect_problem("Invalid request", f"response_type must be {allowed}.")
        scope = args.get("scope")
        if scope is None:
            scopes = list(DEFAULT_SCOPE)
        else:
            scopes, unknown = parse_scope(scope)
            if unknown:
                raise connect_problem(
                    "Invalid scope", f"Unknown permission(s): {' '.join(unknown)}"
                )
            if not scopes:
                raise connect_problem("Invalid scope", "The scope names no permission.")
        prompt = args.get("approval_prompt", "auto")
        if prompt not in ("auto", "force"):
            raise connect_problem("Invalid request", "approval_prompt must be 'auto' or 'force'.")
        mode = args.get("mode")
        if mode is not None and mode not in ("test", "live", "simulated"):
            raise connect_problem("Invalid request", "mode must be 'test', 'live' or 'simulated'.")
        single = args.get("single_select")
        if single is not None and single not in ("true", "false"):
            raise connect_problem(
                "Invalid request", "single_select must be the string 'true' or 'false'."
            )
        test_mode = mode in ("test", "simulated")
        vin = args.get("single_select_vin")
        if vin is not None:
            vin = vin.upper()
            # test mode takes Smartcar's simulated VINs (0SCAUDI037A5ADB1C: letters and digits)
            well_formed = is_simulated_vin(vin) if test_mode else (
                len(vin) == 17 and all(char in VIN_ALPHABET for char in vin)
            )  # fmt: skip
            if not well_formed:
                raise connect_problem("Invalid request", "single_select_vin is not a VIN.")
        make = (args.get("make") or "").upper() or None
        if make is not None and make not in MAKES:
            make = None  # unknown brands get the brand selection
        if vin is not None:
            found = simulated_make(vin) if test_mode else WMI_MAKES.get(vin[:3])
            make = found or (make if test_mode else None) or pages.ALL_MAKES
            if test_mode and make == pages.ALL_MAKES:
                make = None  # a simulated VIN of no listed make: the user picks the brand
        now = state.clock.now()
        for sid in [key for key, item in state.sessions.items() if item.expires_at <= now]:
            del state.sessions[sid]
        session = ConnectSession(
            sid=secrets.token_urlsafe(16),
            client_id=client_id,
            redirect_uri=redirect_uri,
            scopes=tuple(ordered(scopes)),
            state=args.get("state"),
            make=make,
            single_select=single == "true" or vin is not None,
            vin=vin,
            test_mode=test_mode,
            force=prompt == "force",
            flags=tuple((args.get("flags") or "").split()),
            expires_at=now + timedelta(seconds=CONNECT_SESSION_LIFETIME),
            mode=mode or "live",
            v3=v3_app,
            response_type=response_type,
            external_id=args.get("external_id"),
        )
        state.sessions[session.sid] = session
        return html_reply(200, pages.intro_page(session.sid, state.app_name, session.test_mode))

    def after_intro(self, session: ConnectSession) -> str:
        """The page after the introduction: the brand list, or the sign-in when Connect
        was told the brand."""
        if session.make is None:
            return pages.brand_page(session.sid, MAKES, self.state.app_name, session.test_mode)
        return pages.login_page(session.sid, session.make, session.test_mode)

    def login(self, request: Req, session: ConnectSession) -> Reply:
        state = self.state
        form = request.request.form
        email = (form.get("username") or form.get("email") or "").strip()
        password = form.get("password", "")
        make = session.make or pages.ALL_MAKES
        if session.test_mode and make not in MAKES:
            raise connect_problem("Choose a brand", "Test mode connects one brand's test vehicle.")
        if not email or not password or "@" not in email:
            page = pages.login_page(
                session.sid, make, session.test_mode, "Enter your email and password.", email
            )
            return html_reply(200, page)
        session.user = normal_email(email)
        if session.test_mode:
            vehicles = state.test_vehicles(session.user, make, session.vin)
        elif session.vin is not None:
            garage = state.garage(session.user)
            vehicles = [vehicle for vehicle in garage if vehicle.vin == session.vin]
            if not vehicles:
                del state.sessions[session.sid]
                return redirect_reply(
                    redirect_url(
                        session,
                        error="no_vehicles",
                        error_description="No vehicle with the requested VIN is in this account.",
                    )
                )
        else:
            vehicles = state.vehicles_of(session.user, make)
        session.candidates = [vehicle.id for vehicle in vehicles]
        approved = state.approvals.get((session.client_id, session.user))
        remembered_ok = not (session.force or session.single_select or session.test_mode)
        if approved is not None and remembered_ok:
            scopes, vehicle_ids = approved
            user_id = state.user_id(session.user)
            remembered = [
                vid
                for vid in session.candidates
                if vid in vehicle_ids and state.registry.find(user_id, vid) is not None
            ]
            if set(session.scopes) <= scopes and remembered:
                return self.approve(session, remembered)
        return html_reply(200, self.grant_page(session))

    def grant_page(self, session: ConnectSession, error: Optional[str] = None) -> str:
        vehicles = self.state.vehicles_by_id
        choices = [(vid, vehicles[vid].summary(), vehicles[vid].vin) for vid in session.candidates]
        return pages.grant_page(
            session.sid,
            self.state.app_name,
            session.scopes,
            choices,
            session.single_select,
            session.test_mode,
            error,
        )

    def decide(self, request: Req, session: ConnectSession) -> Reply:
        if session.user is None:
            raise connect_problem("Not signed in", "Sign in before granting access.")
        decision = request.request.form.get("decision")
        if decision == "deny":
            del self.state.sessions[session.sid]
            return redirect_reply(
                redirect_url(
                    session,
                    error="access_denied",
                    error_description="User denied access to the requested scope of permissions.",
                )
            )
        if decision != "approve":
            raise connect_problem("Invalid request", "Choose Allow or Deny.")
        chosen = [
            vid for vid in request.request.form.getlist("vehicle") if vid in session.candidates
        ]
        if not chosen:
            return html_reply(200, self.grant_page(session, "Select a vehicle to share."))
        if session.single_select and len(chosen) > 1:
            return html_reply(200, self.grant_page(session, "Select only one vehicle."))
        return self.approve(session, chosen)

    def approve(self, session: ConnectSession, vehicle_ids: List[str]) -> Reply:
        state = self.state
        assert session.user is not None
        key = (session.client_id, session.user)
        scopes, remembered = state.approvals.get(key, (set(), set()))
        state.approvals[key] = (scopes | set(session.scopes), remembered | set(vehicle_ids))
        grant = Grant(
            client_id=state.client_id,
            user=session.user,
            user_id=state.user_id(session.user),
            scopes=session.scopes,
            vehicle_ids=list(vehicle_ids),
            mode=session.mode,
            connected_at=state.clock.now(),
        )
        external_id = session.external_id
        state.connected(grant, "" if external_id == "null" else external_id)
        state.sessions.pop(session.sid, None)
        params: Dict[str, str] = {}
        if session.response_type == "code":
            code = str(uuid.uuid4())
            state.codes[code] = AuthCode(
                client_id=state.client_id,
                redirect_uri=session.redirect_uri,
                grant=grant,
                expires_at=state.clock.now() + timedelta(seconds=CODE_LIFETIME),
            )
            params["code"] = code
        if session.v3:
            params["user_id"] = grant.user_id
            if external_id is not None and external_id != "null":
                params["external_id"] = external_id
        return redirect_reply(redirect_url(session, **params))


def connect_problem(title: str, message: str) -> Problem:
    """A bad Connect request: an error page headed ``title`` (400)."""
    return Problem("VALIDATION", message, title=title)


def redirect_url(session: ConnectSession, **params: str) -> str:
    """The app's redirect URI with ``params`` and the session's ``state`` added."""
    parts = urlsplit(session.redirect_uri)
    query = parse_qsl(parts.query, keep_blank_values=True)
    query.extend(params.items())
    if session.state is not None:
        query.append(("state", session.state))
    return urlunsplit(parts._replace(query=urlencode(query)))
