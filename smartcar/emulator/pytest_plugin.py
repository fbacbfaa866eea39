"""pytest plugin (entry point ``smartcar_emulator``): the ``smartcar_emulator`` fixture.

The fixture yields a started :class:`smartcar.emulator.Emulator` on a free loopback port,
with ``smartcar.const`` pointed at it, and stops it afterwards. Options come from an
optional marker::

    @pytest.mark.smartcar_emulator(seed=3, users={"a@example.com": ["electric"]})
    def test_app(smartcar_emulator): ...

Nothing heavy is imported until the fixture is used, so the plugin costs nothing (and
never breaks pytest) when werkzeug is not installed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Iterator

import pytest

if TYPE_CHECKING:
    from smartcar.emulator.server import Emulator


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "smartcar_emulator(**options): keyword arguments for the smartcar_emulator fixture's "
        "Emulator (seed, users, client_id, client_secret, redirect_uris, ...)",
    )


@pytest.fixture
def smartcar_emulator(request: pytest.FixtureRequest) -> Iterator[Emulator]:
    """A running Smartcar emulator (``smartcar.emulator.Emulator``) for one test."""
    try:
        from smartcar.emulator.server import Emulator
    except ImportError as exc:  # pragma: no cover - depends on the environment
        pytest.fail(
            "the smartcar_emulator fixture needs werkzeug: "
            f"pip install 'smartcar[emulator]' ({exc})"
        )
    options: dict[str, Any] = {}
    marker = request.node.get_closest_marker("smartcar_emulator")
    if marker is not None:
        options.update(marker.kwargs)
    with Emulator(**options) as emulator:
        yield emulator
