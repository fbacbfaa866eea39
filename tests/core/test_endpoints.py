"""Every endpoint of every version described once (``smartcar/_endpoints``): the v3 and
management tables say what the v2 ones say (method, path, repeatable, the 401 rule, auth)."""

from __future__ import annotations

from typing import Dict

import pytest

from smartcar._endpoints import (
    REPLAY,
    REPLAY_IF_REFUSED,
    REPLAY_NEVER,
    Endpoint,
    v2_management,
    v3,
    v3_management,
)

TABLES = {
    "v2 management": v2_management.ENDPOINTS,
    "v3": v3.ENDPOINTS,
    "v3 management": v3_management.ENDPOINTS,
}


@pytest.mark.parametrize("table", TABLES.values(), ids=list(TABLES))
def test_reads_may_be_repeated_and_replayed_and_nothing_else_may_be_repeated(
    table: Dict[str, Endpoint],
) -> None:
    for name, endpoint in table.items():
        if endpoint.method == "GET":
            assert (endpoint.repeatable, endpoint.on_401) == (True, REPLAY), name
        else:
            assert not endpoint.repeatable, name


def test_v3_commands_are_replayed_only_when_the_token_was_refused() -> None:
    commands = [e for e in v3.ENDPOINTS.values() if "/commands/" in e.path]
    schedules = [e for e in v3.ENDPOINTS.values() if "charge-schedules" in e.path]
    assert len(commands) == 8 and len(schedules) == 2
    assert {e.on_401 for e in commands + schedules} == {REPLAY_IF_REFUSED}


def test_each_table_names_its_service_and_credentials() -> None:
    assert {(e.service, e.auth) for e in v2_management.ENDPOINTS.values()} == {
        ("MANAGEMENT_API_URL", "management")
    }
    assert {(e.service, e.auth) for e in v3_management.ENDPOINTS.values()} == {
        ("MANAGEMENT_API_V3_URL", "app")
    }
    token = v3.ENDPOINTS["app_token"]
    assert (token.method, token.service, token.auth, token.on_401) == (
        "POST",
        "IAM_URL",
        "none",
        REPLAY_NEVER,
    )
    others = {(e.service, e.auth) for n, e in v3.ENDPOINTS.items() if n != "app_token"}
    assert others == {("VEHICLE_API_V3_URL", "app")}
