"""The emulator as a server: keep-alive, speed, TLS, the CLI, the pytest plugin, and how it
points the SDK at itself."""

from __future__ import annotations

import os
import signal
import socket
import ssl
import subprocess
import sys
import time
from pathlib import Path
from typing import Iterator

import pytest
import requests

import smartcar.const
from smartcar.emulator import Emulator

REPO = Path(__file__).resolve().parents[2]


def test_keep_alive_uses_one_connection(emu: Emulator, http: requests.Session) -> None:
    tokens = emu.issue_tokens()
    headers = {"Authorization": f"Bearer {tokens['access_token']}"}
    vehicle = emu.vehicles()[0]
    before = emu.connections_accepted
    for _ in range(50):
        assert http.get(f"{emu.origin}/v1.0/vehicles/{vehicle.id}/odometer", headers=headers).ok
        assert http.post(
            f"{emu.origin}/v1.0/vehicles/{vehicle.id}/security",
            json={"action": "LOCK"},
            headers=headers,
        ).ok
    assert emu.connections_accepted - before == 1
    ports = {record.client_port for record in emu.request_log}
    assert len(ports) == 1
    response = http.get(f"{emu.origin}/v1.0/vehicles", headers=headers)
    assert response.headers["Content-Length"] == str(len(response.content))
    assert "close" not in response.headers.get("Connection", "")


def test_no_nagle_stall(emu: Emulator, http: requests.Session) -> None:
    headers = {"Authorization": f"Bearer {emu.issue_tokens()['access_token']}"}
    vehicle = emu.vehicles()[0]
    http.get(f"{emu.origin}/v1.0/vehicles", headers=headers)
    count = 200
    started = time.perf_counter()
    for _ in range(count):
        http.post(
            f"{emu.origin}/v1.0/vehicles/{vehicle.id}/batch",
            json={"requests": [{"path": "/odometer"}]},
            headers=headers,
        )
    elapsed = time.perf_counter() - started
    # a 40 ms Nagle/delayed-ACK stall per request would take 8 s here
    assert elapsed / count < 0.02, f"{count / elapsed:.0f} requests/s"


def test_connection_close_is_honoured(emu: Emulator) -> None:
    with socket.create_connection(("127.0.0.1", emu.port), timeout=5) as sock:
        sock.sendall(b"GET /v1.0/user HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        data = b""
        while chunk := sock.recv(4096):
            data += chunk
    head = data.split(b"\r\n\r\n", 1)[0].decode()
    assert head.startswith("HTTP/1.1 401")
    assert "Connection: close" in head


def test_raw_keep_alive_pipelined_requests_and_bodies(emu: Emulator) -> None:
    token = emu.issue_tokens()["access_token"]
    vehicle = emu.vehicles()[0]
    body = b'{"action": "UNLOCK"}'
    parts = [b'{"act', b'ion": "LOCK"}']
    chunked = b"".join(b"%x\r\n%s\r\n" % (len(part), part) for part in parts) + b"0\r\n\r\n"
    requests_bytes = (
        f"POST /v1.0/vehicles/{vehicle.id}/security HTTP/1.1\r\nHost: x\r\n"
        f"Authorization: Bearer {token}\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\n\r\n".encode()
        + body
        + f"POST /v1.0/vehicles/{vehicle.id}/security HTTP/1.1\r\nHost: x\r\n"
        f"Authorization: Bearer {token}\r\nTransfer-Encoding: chunked\r\n\r\n".encode()
        + chunked
        + f"HEAD /v1.0/vehicles/{vehicle.id} HTTP/1.1\r\nHost: x\r\n"
        f"Authorization: Bearer {token}\r\nConnection: close\r\n\r\n".encode()
    )
    with socket.create_connection(("127.0.0.1", emu.port), timeout=5) as sock:
        sock.sendall(requests_bytes)
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    assert data.count(b"HTTP/1.1 200 OK") == 3
    assert [r.action for r in emu.requests("*/security")] == ["UNLOCK", "LOCK"]
    assert emu.vehicle(vehicle.id).locked is True
    assert data.rstrip().endswith(b"Connection: close")  # HEAD: headers only


@pytest.mark.parametrize(
    "raw",
    [
        b"NONSENSE\r\n\r\n",
        b"POST /v1.0/user HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
        b"POST /v1.0/user HTTP/1.1\r\nContent-Length: -5\r\n\r\n",
        b"GET /v1.0/user HTTP/1.1\r\nNo colon here\r\n\r\n",
    ],
)
def test_malformed_requests_get_400(emu: Emulator, raw: bytes) -> None:
    with socket.create_connection(("127.0.0.1", emu.port), timeout=5) as sock:
        sock.sendall(raw)
        data = sock.recv(4096)
    assert data.startswith(b"HTTP/1.1 400")


def test_stop_closes_pooled_connections_and_restores_const() -> None:
    saved = (smartcar.const.API_URL, smartcar.const.AUTH_URL, smartcar.const.CONNECT_URL)
    session = requests.Session()
    with Emulator() as emu:
        assert emu.origin + "/v1.0" == smartcar.const.API_URL
        assert emu.origin + "/oauth/token" == smartcar.const.AUTH_URL
        assert emu.origin == smartcar.const.CONNECT_URL
        origin = emu.origin
        assert session.get(origin + "/").ok
        assert emu.running
    assert not emu.running
    assert saved == (smartcar.const.API_URL, smartcar.const.AUTH_URL, smartcar.const.CONNECT_URL)
    with pytest.raises(requests.ConnectionError):
        session.get(origin + "/", timeout=2)
    with pytest.raises(RuntimeError):
        _ = emu.origin


def test_nested_emulators_restore_in_order() -> None:
    saved = smartcar.const.API_URL
    with Emulator() as outer:
        with Emulator(patch_const=True) as inner:
            assert inner.api_url == smartcar.const.API_URL
        assert outer.api_url == smartcar.const.API_URL
    assert saved == smartcar.const.API_URL


def test_start_stop_without_with() -> None:
    emu = Emulator(seed=1).start()
    try:
        assert emu.start() is emu  # idempotent
        assert requests.get(emu.origin + "/").ok
        assert emu.environment() == {
            "SMARTCAR_API_ORIGIN": emu.origin,
            "SMARTCAR_AUTH_ORIGIN": emu.origin,
            "SMARTCAR_CONNECT_ORIGIN": emu.origin,
        }
    finally:
        emu.stop()
        emu.stop()


def test_https_with_trustme(tmp_path: Path) -> None:
    trustme = pytest.importorskip("trustme")
    authority = trustme.CA()
    certificate = authority.issue_cert("127.0.0.1", "localhost")
    server_context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    certificate.configure_cert(server_context)
    bundle = tmp_path / "ca.pem"
    authority.cert_pem.write_to_path(str(bundle))
    with Emulator(ssl_context=server_context) as emu:
        assert emu.origin.startswith("https://127.0.0.1:")
        assert smartcar.const.API_URL.startswith("https://")
        token = emu.issue_tokens()["access_token"]
        with requests.Session() as session:
            for _ in range(20):
                response = session.get(
                    emu.origin + "/v1.0/user",
                    headers={"Authorization": f"Bearer {token}"},
                    verify=str(bundle),  # per request: REQUESTS_CA_BUNDLE beats Session.verify
                )
                assert response.json() == {"id": emu.user_id()}
        assert emu.connections_accepted == 1
        with pytest.raises(requests.exceptions.SSLError):
            requests.get(emu.origin + "/", timeout=5, verify=True)  # untrusted without the CA


def test_https_with_certificate_files(tmp_path: Path) -> None:
    trustme = pytest.importorskip("trustme")
    authority = trustme.CA()
    certificate = authority.issue_cert("127.0.0.1")
    cert_file, key_file, bundle = tmp_path / "cert.pem", tmp_path / "key.pem", tmp_path / "ca.pem"
    certificate.cert_chain_pems[0].write_to_path(str(cert_file))
    certificate.private_key_pem.write_to_path(str(key_file))
    authority.cert_pem.write_to_path(str(bundle))
    with Emulator(ssl_context=(str(cert_file), str(key_file))) as emu:
        response = requests.get(emu.origin + "/_emulator", verify=str(bundle), timeout=5)
        assert response.json()["client_id"] == emu.client_id


@pytest.fixture
def cli() -> Iterator[subprocess.Popen[str]]:
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "smartcar.emulator",
            "--seed",
            "3",
            "--client-id",
            "cli-id",
            "--client-secret",
            "cli-secret",
            "--redirect-uri",
            "http://localhost:5000/cb",
            "--redirect-uri",
            "http://localhost:5000/other",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=REPO,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        yield process
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        assert process.stdout is not None and process.stderr is not None
        process.stdout.close()
        process.stderr.close()


def test_cli_prints_origins_and_serves(cli: subprocess.Popen[str]) -> None:
    assert cli.stdout is not None
    lines = [cli.stdout.readline().strip() for _ in range(4)]
    names = [line.split("=", 1)[0] for line in lines[:3]]
    assert names == ["SMARTCAR_API_ORIGIN", "SMARTCAR_AUTH_ORIGIN", "SMARTCAR_CONNECT_ORIGIN"]
    origin = lines[0].split("=", 1)[1]
    assert origin.startswith("http://127.0.0.1:")
    assert all(line.split("=", 1)[1] == origin for line in lines[:3])
    assert "ready" in lines[3] and "cli-id" in lines[3]
    settings = requests.get(origin + "/_emulator", timeout=5).json()
    assert settings["seed"] == 3 and settings["client_id"] == "cli-id"
    assert settings["redirect_uris"] == ["http://localhost:5000/cb", "http://localhost:5000/other"]
    token = requests.post(
        origin + "/oauth/token",
        data={"grant_type": "refresh_token", "refresh_token": "x"},
        auth=("cli-id", "cli-secret"),
        timeout=5,
    )
    assert token.json()["error"] == "invalid_grant"
    cli.send_signal(signal.SIGINT)
    assert cli.wait(timeout=10) == 0
    assert cli.stderr is not None
    assert cli.stderr.read() == ""  # quiet: no per-request logging by default


def test_cli_terminates_on_sigterm(cli: subprocess.Popen[str]) -> None:
    assert cli.stdout is not None
    for _ in range(4):
        cli.stdout.readline()
    cli.terminate()
    assert cli.wait(timeout=10) == 0


def test_pytest_plugin_fixture(smartcar_emulator: Emulator) -> None:
    assert smartcar_emulator.running
    assert smartcar_emulator.api_url == smartcar.const.API_URL
    assert smartcar.get_user_id(smartcar_emulator.issue_tokens()["access_token"]) == (
        smartcar_emulator.user_id()
    )


@pytest.mark.smartcar_emulator(seed=11, client_id="marked")
def test_pytest_plugin_marker_options(smartcar_emulator: Emulator) -> None:
    assert smartcar_emulator.seed == 11
    assert smartcar_emulator.client_id == "marked"


def test_imports_stay_lazy() -> None:
    code = (
        "import sys, smartcar\n"
        "assert 'smartcar.emulator' not in sys.modules\n"
        "import smartcar.emulator\n"
        "assert 'werkzeug' not in sys.modules, 'werkzeug imported eagerly'\n"
        "import smartcar.emulator.pytest_plugin\n"
        "assert 'werkzeug' not in sys.modules\n"
        "from smartcar.emulator import Emulator\n"
        "assert 'werkzeug' in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=REPO, timeout=60)


def test_friendly_error_without_werkzeug() -> None:
    code = (
        "import sys\n"
        "sys.modules['werkzeug'] = None\n"
        "import smartcar.emulator, smartcar.emulator.pytest_plugin\n"
        "try:\n"
        "    from smartcar.emulator import Emulator\n"
        "except ImportError as exc:\n"
        "    assert 'smartcar[emulator]' in str(exc), exc\n"
        "else:\n"
        "    raise SystemExit('imported without werkzeug')\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=REPO, timeout=60)


def test_throughput_report(emu: Emulator, http: requests.Session) -> None:
    """Sequential keep-alive requests/s from one Session, in-process (printed with -s).

    The bound asserted is loose (shared CI machines); the target on an idle machine is
    >= 1,000 requests/s (see the emulator docs for measured figures).
    """
    headers = {"Authorization": f"Bearer {emu.issue_tokens()['access_token']}"}
    url = f"{emu.origin}/v1.0/vehicles/{emu.vehicles()[0].id}/odometer"
    for _ in range(100):
        http.get(url, headers=headers)
    count = 1000
    started = time.perf_counter()
    for _ in range(count):
        http.get(url, headers=headers)
    rate = count / (time.perf_counter() - started)
    print(f"\nemulator keep-alive throughput: {rate:.0f} requests/s")
    assert rate > 200
