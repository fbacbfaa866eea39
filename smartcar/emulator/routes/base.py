"""What the route modules share: a route table (a werkzeug :class:`Map` and the renderer
family that words the surface's problems and faults), a surface base that turns every
:class:`Problem` (and every unexpected exception) into that family's answer, and the app
credentials and paging the JSON surfaces read alike."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Dict, Iterable, Optional, Tuple

from werkzeug.routing import Map

from smartcar.emulator.problems import Problem, unexpected
from smartcar.emulator.renderers import Family
from smartcar.emulator.web import Reply, Req

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIEnvironment

    from smartcar.emulator.faults import Fault
    from smartcar.emulator.state import EmulatorState

SUPPORTED_COUNTRIES = frozenset({
    "US", "CA", "GB", "IE", "FR", "DE", "AT", "BE", "NL", "LU", "CH",
    "IT", "ES", "PT", "DK", "NO", "SE", "FI", "PL", "CZ", "HU",
})  # fmt: skip


@dataclass(frozen=True)
class RouteTable:
    """A surface's routes and the :class:`Family` that renders its problems and faults."""

    routes: Map
    family: Family

    def match(self, path: str, method: Optional[str] = None) -> Tuple[str, Dict[str, str]]:
        """The endpoint and path arguments of ``path`` (werkzeug's ``HTTPException``
        when no rule takes it)."""
        endpoint, args = self.routes.bind("emulator").match(path, method=method)
        return str(endpoint), dict(args)


class RoutedSurface:
    """A surface answering through :attr:`table`: subclasses implement :meth:`handles`
    and :meth:`answer` (which raises :class:`Problem`); the table's family words every
    problem, fault and rate limit."""

    table: RouteTable

    # ------------------------------------------------------------- the Surface protocol
    def handles(self, path: str) -> bool:
        raise NotImplementedError

    def vehicle_id(self, path: str) -> Optional[str]:
        return None

    def render_fault(self, fault: Fault) -> Reply:
        return self.table.family.fault(fault)

    def rate_limited(self, retry_after: int) -> Reply:
        problem = Problem(
            "RATE_LIMIT",
            "You have reached the throttling rate limit for this vehicle.",
            code="VEHICLE",
            headers={"Retry-After": str(retry_after)},
        )
        return self.table.family.problem(problem)

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        return self.reply(Req.of(environ)).send(start_response)

    # ------------------------------------------------------------- for subclasses
    def reply(self, request: Req) -> Reply:
        """The answer to ``request`` (never raises)."""
        try:
            return self.answer(request)
        except Problem as problem:
            return self.table.family.problem(problem)
        except Exception as exc:
            return self.table.family.problem(unexpected(exc))

    def answer(self, request: Req) -> Reply:
        raise NotImplementedError


class JsonSurface(RoutedSurface):
    """A JSON API surface under ``prefix`` (``"/v1.0"``) over the shared state."""

    prefix = ""

    def __init__(self, state: EmulatorState) -> None:
        self.state = state

    def handles(self, path: str) -> bool:
        return path == self.prefix or path.startswith(self.prefix + "/")

    def vehicle_id(self, path: str) -> Optional[str]:
        """The ``{id}`` of ``<prefix>/vehicles/{id}/...`` (None for other paths)."""
        head = self.prefix + "/vehicles/"
        if not path.startswith(head):
            return None
        return path[len(head) :].split("/", 1)[0] or None

    def has_app_credentials(self, request: Req) -> bool:
        """Whether the request carries HTTP Basic auth with this app's id and secret."""
        auth = request.request.authorization
        return (
            auth is not None
            and (auth.type or "").lower() == "basic"
            and self.state.app_credentials_match(auth.username, auth.password)
        )


def paging(request: Req, default_limit: int, max_limit: int) -> Tuple[int, int]:
    """``(limit, offset)`` from the query.

    Raises:
        Problem: VALIDATION when they are not integers in range.
    """
    try:
        limit = int(request.args.get("limit", default_limit))
        offset = int(request.args.get("offset", 0))
    except ValueError:
        raise Problem("VALIDATION", "limit and offset must be integers.") from None
    if not 1 <= limit <= max_limit or offset < 0:
        raise Problem("VALIDATION", f"limit must be 1-{max_limit} and offset >= 0.")
    return limit, offset
