"""redact: secret-named query values never reach a log line."""

from __future__ import annotations

from smartcar.emulator.redact import redact_query, redact_request_line, redact_target


def test_secret_names_lose_their_values() -> None:
    assert redact_query({"code": "c", "limit": "2"}) == {"code": "[redacted]", "limit": "2"}
    line = redact_request_line("GET /v1.0/user?access_token=abc&x=1&client_secret=s HTTP/1.1")
    assert "abc" not in line and "=s " not in line and "x=1" in line
    assert redact_target("/plain") == "/plain"
