"""``smartcar._cli.main`` called in-process (as a REPL or another program may)."""

from __future__ import annotations

import threading
from typing import List

import pytest

from smartcar._cli import main


def test_main_off_the_main_thread_runs_the_command(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("SMARTCAR_CLIENT_ID", raising=False)
    statuses: List[int] = []
    worker = threading.Thread(target=lambda: statuses.append(main(["connections"])))
    worker.start()
    worker.join(30)
    assert statuses == [2]
    assert capsys.readouterr().err == (
        "smartcar: error: set SMARTCAR_CLIENT_ID and SMARTCAR_CLIENT_SECRET (API credentials)\n"
    )
