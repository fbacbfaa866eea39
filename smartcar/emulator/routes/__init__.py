"""The emulator's surfaces (one route module per API surface) and the one place they are
registered: :func:`build_surfaces`.

A surface is a WSGI application over the shared :class:`~smartcar.emulator.state.EmulatorState`
with four more methods, so the middleware (faults, rate limits, the request log) can treat
every surface alike and still answer in each one's own error form:

- ``handles(path) -> bool``: whether a request path belongs to it;
- ``vehicle_id(path) -> Optional[str]``: the vehicle a path addresses (rate limits, log);
- ``render_fault(fault) -> Reply``: a scripted fault's answer in this surface's form;
- ``rate_limited(retry_after) -> Reply``: the answer for a vehicle over its rate limit.

Every surface subclasses :class:`~smartcar.emulator.routes.base.RoutedSurface`: its module
starts with its route table (a werkzeug ``Map`` and the renderer family of
:mod:`smartcar.emulator.renderers` that words its problems and faults), its handlers raise
:class:`~smartcar.emulator.problems.Problem`, and the base gives the last two methods.

To add a surface: write a module with its ``TABLE`` and a ``RoutedSurface`` subclass
(:class:`~smartcar.emulator.routes.base.JsonSurface` for JSON APIs under a prefix),
construct it from the state in :func:`build_surfaces`, before any surface whose
``handles`` would also claim its paths. See docs/emulator.md.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterable, List, Optional, Protocol, Sequence

from smartcar.emulator.web import SURFACE_KEY, Reply

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIEnvironment

    from smartcar.emulator.faults import Fault
    from smartcar.emulator.state import EmulatorState


class Surface(Protocol):
    """One API surface of the emulated service (see the module docstring)."""

    def handles(self, path: str) -> bool: ...

    def vehicle_id(self, path: str) -> Optional[str]: ...

    def render_fault(self, fault: Fault) -> Reply: ...

    def rate_limited(self, retry_after: int) -> Reply: ...

    def __call__(
        self, environ: WSGIEnvironment, start_response: StartResponse
    ) -> Iterable[bytes]: ...


def build_surfaces(state: EmulatorState) -> List[Surface]:
    """Every surface, in routing order (the first whose ``handles`` says yes answers)."""
    from smartcar.emulator.routes.connect import ConnectSurface
    from smartcar.emulator.routes.management_v2 import ManagementV2Surface
    from smartcar.emulator.routes.oauth import OAuthSurface
    from smartcar.emulator.routes.v1 import V1Surface
    from smartcar.emulator.routes.v2 import V2Surface
    from smartcar.emulator.routes.v3 import IamSurface, V3Surface

    v3 = V3Surface(state)
    return [
        OAuthSurface(state),
        ConnectSurface(state),
        V1Surface(state),
        ManagementV2Surface(state),  # before v2.0: its paths are under /v2.0 too
        V2Surface(state),
        IamSurface(v3.service),
        v3,
    ]


class Router:
    """Sends each request to the first surface that handles its path; paths nobody
    handles get the ``fallback`` surface (v1.0's 404)."""

    def __init__(self, surfaces: Sequence[Surface], fallback: Surface) -> None:
        self.surfaces = list(surfaces)
        self.fallback = fallback

    def surface_for(self, path: str) -> Surface:
        """The surface that answers ``path``."""
        for surface in self.surfaces:
            if surface.handles(path):
                return surface
        return self.fallback

    def surface_of(self, environ: WSGIEnvironment) -> Surface:
        """The surface that answers this request (looked up once, kept in the environ)."""
        found: Optional[Surface] = environ.get(SURFACE_KEY)
        if found is None:
            found = self.surface_for(str(environ.get("PATH_INFO", "") or "/"))
            environ[SURFACE_KEY] = found
        return found

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        return self.surface_of(environ)(environ, start_response)
