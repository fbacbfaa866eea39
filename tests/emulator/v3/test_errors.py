"""v3 error bodies: the documented entry fields, and a v3 body for every fault kind."""

from __future__ import annotations

import json

import pytest

from smartcar.emulator.faults import FaultSet
from smartcar.emulator.v3.errors import V3Error, error_entry, fault_error, render_fault

FIELDS = {"status", "type", "code", "title", "detail", "links", "resolution"}


def test_entry_has_the_documented_fields_with_a_string_status() -> None:
    entry = error_entry("UPSTREAM", "INVALID_DATA")
    assert set(entry) >= FIELDS
    assert entry["status"] == "502"
    assert entry["title"] == "Bad Gateway"
    assert entry["links"]["about"].endswith("/upstream-errors#invalid-data")
    assert entry["resolution"] == {"type": "RETRY_LATER"}
    assert entry["suggestedUserMessage"]


@pytest.mark.parametrize(
    ("status", "error_type", "code"),
    [
        (400, "VALIDATION", "INVALID_INPUT_FORMAT"),
        (401, "AUTHENTICATION", "UNAUTHORIZED"),
        (403, "PERMISSION", None),
        (404, "RESOURCE_NOT_FOUND", "PATH"),
        (409, "VEHICLE_STATE", "UNKNOWN"),
        (429, "RATE_LIMIT", "VEHICLE"),
        (430, "BILLING", "VEHICLE_REQUEST_LIMIT"),
        (500, "SERVER", "INTERNAL"),
        (501, "COMPATIBILITY", "VEHICLE_NOT_CAPABLE"),
        (502, "UPSTREAM", "UNKNOWN_ISSUE"),
        (503, "SERVER", "INTERNAL"),
        (504, "UPSTREAM", "NO_RESPONSE"),
    ],
)
def test_a_bare_status_fault_answers_its_type(status: int, error_type: str, code: str) -> None:
    fault = FaultSet().add("/v3/*", status=status)
    got_status, headers, body = render_fault(fault)
    entry = json.loads(body)["errors"][0]
    assert (got_status, entry["status"], entry["type"], entry["code"]) == (
        status,
        str(status),
        error_type,
        code,
    )
    assert headers["Content-Type"] == "application/json"


def test_fault_error_names_v1_and_v3_kinds_and_overrides() -> None:
    faults = FaultSet()
    not_capable = fault_error(faults.add(status=501, error="smartcar_not_capable_error"))
    assert not_capable.entries[0]["code"] == "SMARTCAR_NOT_CAPABLE"
    asleep = fault_error(faults.add(status=409, error="VEHICLE_STATE", code="ASLEEP", message="zz"))
    assert (asleep.entries[0]["code"], asleep.entries[0]["detail"]) == ("ASLEEP", "zz")


def test_rate_limit_fault_keeps_retry_after_and_raw_body_wins() -> None:
    faults = FaultSet()
    status, headers, _ = render_fault(faults.add(status=429, retry_after=7))
    assert (status, headers["Retry-After"]) == (429, "7")
    status, headers, body = render_fault(faults.add(status=200, body="not json"))
    assert (status, body) == (200, b"not json")


def test_v3_error_with_several_entries() -> None:
    error = V3Error(400, [error_entry("VALIDATION"), error_entry("VALIDATION")])
    assert len(error.body()["errors"]) == 2
    assert error.status == 400
