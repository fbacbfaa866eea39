"""What the route modules share: a WSGI surface that turns :class:`Problem` into its own
error form, never lets an exception out, and reads app credentials and paging the same way."""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterable, Optional, Tuple

from smartcar.emulator.problems import Problem
from smartcar.emulator.web import Reply, Req, json_reply, raw_reply

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIEnvironment

    from smartcar.emulator.faults import Fault
    from smartcar.emulator.state import EmulatorState

SUPPORTED_COUNTRIES = frozenset({
    "US", "CA", "GB", "IE", "FR", "DE", "AT", "BE", "NL", "LU", "CH",
    "IT", "ES", "PT", "DK", "NO", "SE", "FI", "PL", "CZ", "HU",
})  # fmt: skip


class JsonSurface:
    """A JSON API surface under ``prefix`` (``"/v1.0"``). Subclasses implement
    :meth:`answer` and :meth:`problem_reply` (and may override the fault forms)."""

    prefix = ""

    def __init__(self, state: EmulatorState) -> None:
        self.state = state

    # ------------------------------------------------------------- the Surface protocol
    def handles(self, path: str) -> bool:
        return path == self.prefix or path.startswith(self.prefix + "/")

    def vehicle_id(self, path: str) -> Optional[str]:
        """The ``{id}`` of ``<prefix>/vehicles/{id}/...`` (None for other paths)."""
        head = self.prefix + "/vehicles/"
        if not path.startswith(head):
            return None
        return path[len(head) :].split("/", 1)[0] or None

    def render_fault(self, fault: Fault) -> Reply:
        return raw_reply(*fault.render())

    def rate_limited(self, retry_after: int) -> Reply:
        problem = Problem(
            "RATE_LIMIT",
            "You have reached the throttling rate limit for this vehicle.",
            code="VEHICLE",
            headers={"Retry-After": str(retry_after)},
        )
        return self.problem_reply(problem)

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        return self.reply(Req.of(environ)).send(start_response)

    # ------------------------------------------------------------- for subclasses
    def reply(self, request: Req) -> Reply:
        """The answer to ``request`` (never raises)."""
        try:
            return self.answer(request)
        except Problem as problem:
            return self.problem_reply(problem)
        except Exception as exc:
            return json_reply(500, {"error": "server_error", "message": f"Emulator bug: {exc!r}"})

    def answer(self, request: Req) -> Reply:
        raise NotImplementedError

    def problem_reply(self, problem: Problem) -> Reply:
        raise NotImplementedError

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
