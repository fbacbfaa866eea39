"""Fixtures for the Flask example: a live emulator, the app, and the app on a real port."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Iterator

import pytest
from e2e_support import TEST_CLIENT_CALLBACK, LiveApp, app_config
from flask import Flask
from flask.testing import FlaskClient

from examples.flask_app.app import create_app
from examples.flask_app.run import bind
from smartcar.emulator import Emulator


@pytest.fixture(scope="module")
def emu() -> Iterator[Emulator]:
    """A live emulator on a free loopback port; ``smartcar.const`` points at it meanwhile."""
    with Emulator(redirect_uris=[TEST_CLIENT_CALLBACK]) as emulator:
        yield emulator


@pytest.fixture
def fresh_emu(emu: Emulator) -> Emulator:
    """The module's emulator, reset: fresh garages, no faults, an empty request log."""
    emu.reset()
    return emu


@pytest.fixture
def token_db(tmp_path: Path) -> Path:
    return tmp_path / "tokens.sqlite3"


@pytest.fixture
def app(fresh_emu: Emulator, token_db: Path) -> Flask:
    return create_app(app_config(fresh_emu, token_db, TEST_CLIENT_CALLBACK))


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture(scope="module")
def live_app(emu: Emulator, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveApp]:
    """The example app served over loopback HTTP on a free port, wired to ``emu``."""
    server, deferred = bind("127.0.0.1", 0)
    base = f"http://127.0.0.1:{server.server_port}"
    emu.add_redirect_uri(f"{base}/callback")
    token_db = tmp_path_factory.mktemp("live") / "tokens.sqlite3"
    app = create_app(app_config(emu, token_db, f"{base}/callback"))
    deferred.app = app
    thread = threading.Thread(
        target=server.serve_forever,
        kwargs={"poll_interval": 0.05},
        name="flask-example",
        daemon=True,
    )
    thread.start()
    try:
        yield LiveApp(base, app, token_db)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)
