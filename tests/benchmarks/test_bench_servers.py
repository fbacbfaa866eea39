"""The single-call benchmark's servers and client (benchmarks/_server.py, _emulator_server.py,
_client.py): what they answer, what they count, and what each client reads, over real HTTPS."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any, Dict, Iterator, List

import pytest
import requests
import trustme

BENCH = Path(__file__).resolve().parents[2] / "benchmarks"


class BenchServer:
    def __init__(self, script: str, cert: Path, key: Path) -> None:
        self.process = subprocess.Popen(
            [sys.executable, str(BENCH / script), "--cert", str(cert), "--key", str(key)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.process.stdout is not None
        line = self.process.stdout.readline()
        assert line.startswith("LISTENING "), line
        self.hello: Dict[str, Any] = json.loads(line.split(" ", 1)[1])
        self.origin = f"https://127.0.0.1:{self.hello['port']}"

    def stats(self) -> Dict[str, Any]:
        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.write("stats\n")
        self.process.stdin.flush()
        answer: Dict[str, Any] = json.loads(self.process.stdout.readline())
        return answer

    def stop(self) -> None:
        assert self.process.stdin is not None
        self.process.stdin.close()
        self.process.wait(timeout=30)


@pytest.fixture(scope="module")
def certificates(tmp_path_factory: pytest.TempPathFactory) -> Dict[str, Path]:
    directory = tmp_path_factory.mktemp("bench-tls")
    ca = trustme.CA()
    issued = ca.issue_cert("127.0.0.1", "localhost")
    paths = {name: directory / f"{name}.pem" for name in ("ca", "chain", "key")}
    ca.cert_pem.write_to_path(str(paths["ca"]))
    issued.private_key_pem.write_to_path(str(paths["key"]))
    paths["chain"].write_bytes(b"".join(blob.bytes() for blob in issued.cert_chain_pems))
    return paths


@pytest.fixture(scope="module", params=["_server.py", "_emulator_server.py"])
def server(request: pytest.FixtureRequest, certificates: Dict[str, Path]) -> Iterator[BenchServer]:
    running = BenchServer(request.param, certificates["chain"], certificates["key"])
    yield running
    running.stop()


def app_token(server: BenchServer, ca: Path) -> str:
    v3 = server.hello["v3"]
    answer = requests.post(
        server.origin + "/oauth2/token",
        data={
            "grant_type": "client_credentials",
            "client_id": v3["client_id"],
            "client_secret": v3["client_secret"],
        },
        verify=str(ca),
        timeout=30,
    )
    assert answer.status_code == 200
    token: str = answer.json()["access_token"]
    return token


def get_signals(server: BenchServer, ca: Path, headers: Dict[str, str]) -> List[Any]:
    vehicle_id = server.hello["v3"]["vehicle_id"]
    answer = requests.get(
        f"{server.origin}/v3/vehicles/{vehicle_id}/signals",
        headers=headers,
        verify=str(ca),
        timeout=30,
    )
    assert answer.status_code == 200, answer.text
    data: List[Any] = answer.json()["data"]
    return data


def test_a_signals_read_without_sc_user_id_is_filled_in_and_counted(
    server: BenchServer, certificates: Dict[str, Path]
) -> None:
    token = app_token(server, certificates["ca"])
    before = server.stats()["filled_user_id"]

    data = get_signals(server, certificates["ca"], {"Authorization": "Bearer " + token})
    after_filled = server.stats()
    get_signals(
        server,
        certificates["ca"],
        {"Authorization": "Bearer " + token, "sc-user-id": server.hello["v3"]["user_id"]},
    )
    after_sent = server.stats()

    assert len(data) >= 10
    assert all(item["type"] == "signal" for item in data)
    assert after_filled["filled_user_id"] == before + 1
    assert "sc-user-id" not in after_filled["last_header_names"]
    assert after_sent["filled_user_id"] == before + 1  # a request that sent one is left alone
    assert "sc-user-id" in after_sent["last_header_names"]


@pytest.mark.parametrize(
    ("kind", "read"),
    [("sdk", "odometer"), ("session", "odometer"), ("sdk", "signals"), ("session", "signals")],
)
def test_each_client_reads_through_the_ca_bundle(
    server: BenchServer, certificates: Dict[str, Path], kind: str, read: str
) -> None:
    hello = server.hello
    command = [sys.executable, str(BENCH / "_client.py"), "--kind", kind, "--read", read,
               "--origin", server.origin, "--calls", "3", "--warmup", "1"]  # fmt: skip
    if read == "odometer":
        command += ["--vehicle", hello["vehicle_id"], "--token", hello["token"]]
    else:
        v3 = hello["v3"]
        command += ["--vehicle", v3["vehicle_id"], "--user", v3["user_id"], "--client-id",
                    v3["client_id"], "--client-secret", v3["client_secret"]]  # fmt: skip
    env = {"REQUESTS_CA_BUNDLE": str(certificates["ca"]), "PATH": "/usr/bin:/bin"}

    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)
    failed = subprocess.run(
        [*command, "--expect-tls-failure"],
        env={"PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert done.returncode == 0, done.stderr[-2000:]
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report["calls"] == 3
    assert report["read"] == read
    if read == "odometer":
        assert isinstance(report["found"], float)
    else:
        assert report["found"] >= 10
    assert failed.returncode == 0, failed.stdout + failed.stderr[-2000:]
    assert json.loads(failed.stdout.strip().splitlines()[-1])["tls_failure"] is True


def test_the_session_client_sends_this_sdks_user_agent() -> None:
    sys.path.insert(0, str(BENCH))
    try:
        import _client
    finally:
        sys.path.remove(str(BENCH))
    import smartcar

    assert _client.session_user_agent().startswith(f"Smartcar/{smartcar.__version__} (")
    assert _client.session_user_agent() == smartcar._transport.USER_AGENT
