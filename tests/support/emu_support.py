"""Helpers for the emulator integration tests (raw HTTP against a running emulator)."""

from __future__ import annotations

import contextlib
import importlib.util
import json
import os
import subprocess
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import ModuleType
from typing import Any, Callable, Dict, Optional, Tuple
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from smartcar.emulator import Emulator

BENCH_RUN = Path(__file__).resolve().parents[2] / "benchmarks" / "run.py"


def load_bench_run() -> ModuleType:
    """benchmarks/run.py, which knows how to create the official SDKs' venvs."""
    spec = importlib.util.spec_from_file_location("compat_bench_run", BENCH_RUN)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def official_python(venv: Path, version: str, scratch: Path) -> Path:
    """The python of ``venv`` holding the official ``smartcar==version`` (created once by
    the benchmark harness, reused afterwards). Without a package index the test skips, or
    fails under ``CI``."""
    bench = load_bench_run()
    try:
        python: Path = bench.ensure_official_venv(venv, scratch, version)
    except (bench.BenchError, OSError, subprocess.SubprocessError) as exc:
        reason = f"cannot create {venv} with smartcar=={version} (needs the package index): {exc}"
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)
    return python


def query_of(url: str) -> Dict[str, str]:
    """The query parameters of ``url`` (first value of each)."""
    return {key: values[0] for key, values in parse_qs(urlsplit(url).query).items()}


class Api:
    """Raw HTTP against the emulator's API with one access token."""

    def __init__(self, emu: Emulator, http: requests.Session, token: str) -> None:
        self.emu = emu
        self.http = http
        self.token = token

    def headers(self, units: Optional[str] = None, token: Optional[str] = None) -> Dict[str, str]:
        headers = {"Authorization": f"Bearer {token if token is not None else self.token}"}
        if units is not None:
            headers["sc-unit-system"] = units
        return headers

    def get(self, path: str, units: Optional[str] = None, **kwargs: Any) -> requests.Response:
        kwargs.setdefault("timeout", 10)
        return self.http.get(
            self.emu.origin + "/v1.0" + path, headers=self.headers(units), **kwargs
        )

    def post(self, path: str, body: Any, units: Optional[str] = None) -> requests.Response:
        return self.http.post(
            self.emu.origin + "/v1.0" + path, json=body, headers=self.headers(units), timeout=10
        )

    def delete(self, path: str) -> requests.Response:
        return self.http.delete(
            self.emu.origin + "/v1.0" + path, headers=self.headers(), timeout=10
        )


def token_request(
    emu: Emulator, http: requests.Session, auth: Any = None, **fields: str
) -> requests.Response:
    """POST /oauth/token with the app's Basic credentials (or ``auth``)."""
    return http.post(
        emu.origin + "/oauth/token",
        data=fields,
        auth=auth if auth is not None else (emu.client_id, emu.client_secret),
        timeout=10,
    )


class JsonPostServer:
    """A loopback HTTP server (an app's webhook endpoint) that answers every POST to ``url``
    with ``handle(headers, raw body)``'s ``(status, JSON answer)``; :meth:`close` stops it."""

    def __init__(self, handle: Callable[[Any, bytes], Tuple[int, Any]], path: str) -> None:
        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                status, answer = handle(self.headers, body)
                data = json.dumps(answer).encode()
                with contextlib.suppress(OSError):  # the emulator may have given up waiting
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}{path}"
        self._thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self._thread.join(5)
