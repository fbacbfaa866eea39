"""pytest plugin (entry point ``smartcar_emulator``): the ``smartcar_emulator`` and
``smartcar_defaults`` fixtures.

The fixture yields a started :class:`smartcar.emulator.Emulator` on a free loopback port,
with ``smartcar.const`` pointed at it, and stops it afterwards. Options come from an
optional marker::

    @pytest.mark.smartcar_emulator(seed=3, users={"a@example.com": ["electric"]})
    def test_app(smartcar_emulator): ...

This module lives outside the ``smartcar`` package on purpose: pytest loads entry-point
plugins before any ``conftest.py``, and importing anything under ``smartcar`` would import
the SDK then, before a user's conftest had set ``SMARTCAR_*`` variables. The SDK and the
emulator (and werkzeug) are imported only when a test asks for the fixture, so the plugin
loads in a plain install without the ``emulator`` extra.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, Iterator, List

import pytest

if TYPE_CHECKING:
    from smartcar.emulator.server import Emulator

DISTRIBUTION = "smartcar-sdk-next"
INSTALL_HINT = f"pip install '{DISTRIBUTION}[emulator]'"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "smartcar_emulator(**options): keyword arguments for the smartcar_emulator fixture's "
        "Emulator (seed, users, client_id, client_secret, redirect_uris, ...)",
    )


@pytest.fixture
def smartcar_emulator(request: pytest.FixtureRequest) -> Iterator[Emulator]:
    """A running Smartcar emulator (``smartcar.emulator.Emulator``) for one test.

    Fails the test (it does not skip it) when werkzeug is not installed.
    """
    try:
        from smartcar.emulator.server import Emulator
    except ImportError as exc:
        if exc.name != "werkzeug" and not str(exc.name or "").startswith("werkzeug."):
            raise
        pytest.fail(
            f"the smartcar_emulator fixture needs werkzeug: {INSTALL_HINT} ({exc})",
            pytrace=False,
        )
    options: dict[str, Any] = {}
    marker = request.node.get_closest_marker("smartcar_emulator")
    if marker is not None:
        options.update(marker.kwargs)
    with Emulator(**options) as emulator:
        yield emulator


@pytest.fixture
def smartcar_defaults() -> Iterator[Callable[..., None]]:
    """A function that sets the SDK's process-wide defaults for one test
    (``smartcar_defaults(retry=RetryPolicy(...), timeout=5, api_version="2.0")``; see
    ``smartcar.testing.defaults``); every default is put back after the test."""
    from smartcar import _config

    undos: List[Callable[[], None]] = []

    def apply(**settings: Any) -> None:
        undos.append(_config.override(**settings))

    yield apply
    for undo in reversed(undos):
        undo()
