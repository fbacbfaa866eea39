"""The /_emulator admin endpoints refuse cross-site callers and foreign Host names."""

from __future__ import annotations

import socket

import pytest
import requests

from smartcar.emulator import Emulator


def _raw(emu: Emulator, request: bytes) -> bytes:
    with socket.create_connection(("127.0.0.1", emu.port), timeout=5) as sock:
        sock.sendall(request)
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    return data


def test_cross_site_text_plain_post_is_refused(emu: Emulator, http: requests.Session) -> None:
    response = http.post(
        emu.origin + "/_emulator/clock",
        data='{"advance": 7201}',
        headers={"Content-Type": "text/plain", "Origin": "https://evil.example"},
        timeout=5,
    )
    assert response.status_code == 403
    assert "Cross-site" in response.json()["message"]
    assert emu.clock.offset < 60  # the clock did not move


@pytest.mark.parametrize("origin", ["null", "http://127.0.0.1:1", "http://localhost"])
def test_other_origins_are_refused(emu: Emulator, http: requests.Session, origin: str) -> None:
    response = http.post(
        emu.origin + "/_emulator/reset", json={}, headers={"Origin": origin}, timeout=5
    )
    assert response.status_code == 403


def test_cross_site_fetch_metadata_is_refused(emu: Emulator, http: requests.Session) -> None:
    response = http.delete(
        emu.origin + "/_emulator/log", headers={"Sec-Fetch-Site": "cross-site"}, timeout=5
    )
    assert response.status_code == 403


def test_foreign_host_header_is_refused(emu: Emulator) -> None:
    data = _raw(
        emu,
        b"POST /_emulator/clock HTTP/1.1\r\nHost: rebind.evil.example:%d\r\n"
        b"Content-Type: application/json\r\nContent-Length: 17\r\nConnection: close\r\n\r\n"
        b'{"advance": 7201}' % emu.port,
    )
    assert data.startswith(b"HTTP/1.1 403")
    assert b"DNS rebinding" in data
    assert emu.clock.offset < 60


def test_same_origin_and_loopback_callers_are_served(emu: Emulator, http: requests.Session) -> None:
    assert http.get(emu.origin + "/_emulator", timeout=5).status_code == 200  # no Origin
    same = http.post(
        emu.origin + "/_emulator/clock",
        json={"advance": 5},
        headers={"Origin": emu.origin, "Sec-Fetch-Site": "same-origin"},
        timeout=5,
    )
    assert same.status_code == 200
    named = _raw(
        emu,
        b"GET /_emulator HTTP/1.1\r\nHost: localhost:%d\r\nConnection: close\r\n\r\n" % emu.port,
    )
    assert named.startswith(b"HTTP/1.1 200")


def test_the_api_itself_is_not_affected(emu: Emulator, http: requests.Session) -> None:
    response = http.get(
        emu.origin + "/v1.0/user",
        headers={
            "Authorization": f"Bearer {emu.issue_tokens()['access_token']}",
            "Origin": "https://app.example",
        },
        timeout=5,
    )
    assert response.status_code == 200


def test_a_trusted_host_name_may_drive_the_admin_endpoints() -> None:
    with Emulator(trusted_hosts=["emulator.internal"]) as emu:
        allowed = _raw(
            emu,
            b"GET /_emulator HTTP/1.1\r\nHost: emulator.internal:%d\r\nConnection: close\r\n\r\n"
            % emu.port,
        )
        assert allowed.startswith(b"HTTP/1.1 200")
        other = _raw(
            emu, b"GET /_emulator HTTP/1.1\r\nHost: other.internal\r\nConnection: close\r\n\r\n"
        )
        assert other.startswith(b"HTTP/1.1 403")
