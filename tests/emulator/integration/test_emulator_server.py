"""The emulator as a server: keep-alive, speed, TLS, the CLI, the pytest plugin, and how it
points the SDK at itself."""

from __future__ import annotations

import contextlib
import datetime
import io
import os
import signal
import socket
import ssl
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Iterator

import pytest
import requests

import smartcar.const
from smartcar.emulator import Emulator

REPO = Path(__file__).resolve().parents[3]


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
        assert emu.origin + "/v" + smartcar.const.API_VERSION == smartcar.const.API_URL
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


C2_ORIGINS = {
    "API_URL": "/v{version}",
    "AUTH_URL": "/oauth/token",
    "CONNECT_URL": "",
    "IAM_URL": "/oauth2/token",
    "VEHICLE_API_V3_URL": "/v3",
    "MANAGEMENT_API_V3_URL": "/v3",
    "MANAGEMENT_API_URL": "/v2.0/management",
}


def test_every_origin_points_here_while_running_and_is_restored() -> None:
    before = {name: getattr(smartcar.const, name, None) for name in C2_ORIGINS}
    with Emulator() as emu:
        version = smartcar.const.API_VERSION
        for name, path in C2_ORIGINS.items():
            assert getattr(smartcar.const, name) == emu.origin + path.format(version=version)
    assert {name: getattr(smartcar.const, name, None) for name in C2_ORIGINS} == before


def test_the_sdk_clock_follows_the_emulator_while_it_runs() -> None:
    from smartcar import timeutil

    outer_clock = timeutil.get_clock()  # another emulator's (the module's) or None
    with Emulator() as emu:
        access = emu.issue_tokens()
        assert isinstance(access["expiration"], datetime.datetime)
        assert access["expiration"].tzinfo is None  # naive UTC, as exchange_code returns
        assert access["refresh_expiration"] - access["expiration"] == datetime.timedelta(
            days=60, hours=-2
        )
        assert access["expires_in"] == 7200 and access["token_type"] == "Bearer"
        assert not smartcar.is_expired(access["expiration"])
        emu.clock.advance(7201)
        assert smartcar.is_expired(access["expiration"])
        assert abs((timeutil.now() - emu.clock.now()).total_seconds()) < 1
    assert timeutil.get_clock() == outer_clock
    timeutil.set_clock(None)
    try:
        assert not smartcar.is_expired(access["expiration"])  # real time again
    finally:
        timeutil.set_clock(outer_clock)


def test_issue_tokens_expiration_is_on_the_emulator_clock(emu: Emulator) -> None:
    emu.clock.advance(3 * 86400)
    access = emu.issue_tokens()
    expected = emu.clock.now().replace(tzinfo=None) + datetime.timedelta(seconds=7200)
    assert abs((access["expiration"] - expected).total_seconds()) < 2


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
            "SMARTCAR_AUTH_ORIGIN": emu.origin + "/oauth/token",  # as the official 6.x reads it
            "SMARTCAR_CONNECT_ORIGIN": emu.origin,
            "SMARTCAR_IAM_ORIGIN": emu.origin,
            "SMARTCAR_VEHICLE_API_V3_ORIGIN": emu.origin,
            "SMARTCAR_MANAGEMENT_API_V3_ORIGIN": emu.origin,
            "SMARTCAR_MANAGEMENT_API_ORIGIN": emu.origin,
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


def emulator_cli(*args: str) -> subprocess.Popen[str]:
    """``python -m smartcar.emulator *args``, unbuffered, its output piped as text."""
    return subprocess.Popen(
        [sys.executable, "-m", "smartcar.emulator", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=REPO,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )


@pytest.fixture
def cli() -> Iterator[subprocess.Popen[str]]:
    process = emulator_cli(
        "--seed", "3", "--client-id", "cli-id", "--client-secret", "cli-secret",
        "--redirect-uri", "http://localhost:5000/cb",
        "--redirect-uri", "http://localhost:5000/other",
    )  # fmt: skip
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
    lines = [cli.stdout.readline().strip() for _ in range(8)]
    names = [line.split("=", 1)[0] for line in lines[:7]]
    assert names[:3] == ["SMARTCAR_API_ORIGIN", "SMARTCAR_AUTH_ORIGIN", "SMARTCAR_CONNECT_ORIGIN"]
    assert set(names[3:]) == {
        "SMARTCAR_IAM_ORIGIN",
        "SMARTCAR_VEHICLE_API_V3_ORIGIN",
        "SMARTCAR_MANAGEMENT_API_V3_ORIGIN",
        "SMARTCAR_MANAGEMENT_API_ORIGIN",
    }
    origin = lines[0].split("=", 1)[1]
    assert origin.startswith("http://127.0.0.1:")
    values = dict(line.split("=", 1) for line in lines[:7])
    assert values.pop("SMARTCAR_AUTH_ORIGIN") == origin + "/oauth/token"  # the official 6.x form
    assert set(values.values()) == {origin}
    assert "ready" in lines[7] and "cli-id" in lines[7]
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
        "    assert 'pip install werkzeug' in str(exc), exc\n"
        "else:\n"
        "    raise SystemExit('imported without werkzeug')\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=REPO, timeout=60)


def test_sequential_requests_share_one_kept_alive_connection(
    emu: Emulator, http: requests.Session
) -> None:
    """500 sequential requests of one Session are served on one connection, none refused.

    The emulator's throughput is a figure for the benchmarks (``make bench``), not a timed
    assertion here: what can regress without a clock is keep-alive itself.
    """
    headers = {"Authorization": f"Bearer {emu.issue_tokens()['access_token']}"}
    url = f"{emu.origin}/v1.0/vehicles/{emu.vehicles()[0].id}/odometer"
    before = emu.connections_accepted
    statuses = {http.get(url, headers=headers).status_code for _ in range(500)}
    assert statuses == {200}
    assert emu.connections_accepted - before == 1


def test_endless_chunked_upload_is_cut_at_the_cap(emu: Emulator) -> None:
    """The body is read only up to 10 MiB: the 413 comes while the client is still sending."""
    sock = socket.create_connection(("127.0.0.1", emu.port), timeout=10)
    stop = threading.Event()
    chunk = b"%x\r\n%s\r\n" % (65536, b"x" * 65536)

    def upload() -> None:
        with contextlib.suppress(OSError):
            sock.sendall(
                b"POST /v1.0/user HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n\r\n"
            )
            while not stop.is_set():  # never sends the last chunk
                sock.sendall(chunk)

    sender = threading.Thread(target=upload, daemon=True)
    sender.start()
    try:
        data = b""
        while b"\r\n\r\n" not in data:
            part = sock.recv(4096)
            if not part:
                break
            data += part
    finally:
        stop.set()
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)
        sock.close()
        sender.join(timeout=10)
    assert data.startswith(b"HTTP/1.1 413")
    assert b"Connection: close" in data


def test_oversized_content_length_is_refused_unread(emu: Emulator) -> None:
    with socket.create_connection(("127.0.0.1", emu.port), timeout=10) as sock:
        sock.sendall(b"POST /v1.0/user HTTP/1.1\r\nHost: x\r\nContent-Length: 20000000\r\n\r\n")
        assert sock.recv(4096).startswith(b"HTTP/1.1 413")


def test_chunked_body_at_the_cap_is_accepted(emu: Emulator) -> None:
    from smartcar.emulator.http11 import BodyTooLarge, read_chunked

    body = b"a" * 1000
    framed = b"3e8;ext=1\r\n" + body + b"\r\n0\r\nTrailer: x\r\n\r\n"
    assert read_chunked(io.BytesIO(framed), 1000) == body
    with pytest.raises(BodyTooLarge):
        read_chunked(io.BytesIO(framed), 999)
    assert read_chunked(io.BytesIO(b"3e8\r\nshort"), 1000) is None


def test_log_requests_redacts_tokens_in_query_strings() -> None:
    process = emulator_cli("--log-requests")
    try:
        assert process.stdout is not None
        origin = process.stdout.readline().strip().split("=", 1)[1]
        secret = "tok-3f1e9c2a7b"
        requests.get(
            origin + "/v1.0/user",
            params={"access_token": secret, "refresh_token": secret, "code": secret, "x": "1"},
            timeout=5,
        )
        requests.get(origin + "/v1.0/vehicles", params={"client_secret": secret}, timeout=5)
    finally:
        process.send_signal(signal.SIGINT)
        _, stderr = process.communicate(timeout=10)
    assert "/v1.0/user?" in stderr and "x=1" in stderr  # it does log the requests
    assert "access_token=[redacted]" in stderr or "access_token=%5Bredacted%5D" in stderr
    assert secret not in stderr


def test_cli_without_werkzeug_says_what_to_install() -> None:
    code = (
        "import runpy, sys\n"
        "sys.modules['werkzeug'] = None\n"
        "sys.argv = ['python -m smartcar.emulator']\n"
        "runpy.run_module('smartcar.emulator', run_name='__main__', alter_sys=True)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, timeout=60
    )
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "pip install werkzeug" in lines[0], result.stderr
    assert result.stdout == ""
