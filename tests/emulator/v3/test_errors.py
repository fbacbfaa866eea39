"""v3 error bodies: the documented entry fields, and a v3 body for every fault kind."""

from __future__ import annotations

import json

import pytest

from smartcar.emulator.faults import FaultSet
from smartcar.emulator.problems import Problem
from smartcar.emulator.renderers import V3
from smartcar.emulator.v3.errors import error_entry, fault_error, invalid_input, render_fault

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
    _, not_capable = fault_error(faults.add(status=501, error="smartcar_not_capable_error"))
    assert not_capable["code"] == "SMARTCAR_NOT_CAPABLE"
    status, asleep = fault_error(
        faults.add(status=409, error="VEHICLE_STATE", code="ASLEEP", message="zz")
    )
    assert (status, asleep["code"], asleep["detail"]) == (409, "ASLEEP", "zz")


def test_rate_limit_fault_keeps_retry_after_and_raw_body_wins() -> None:
    faults = FaultSet()
    status, headers, _ = render_fault(faults.add(status=429, retry_after=7))
    assert (status, headers["Retry-After"]) == (429, "7")
    status, headers, body = render_fault(faults.add(status=200, body="not json"))
    assert (status, body) == (200, b"not json")


def test_a_problem_with_several_parts_renders_one_entry_each_with_its_source() -> None:
    problem = Problem.all([invalid_input("bad size", "page[size]"), invalid_input("bad", "/data")])
    reply = V3.problem(problem)
    entries = json.loads(reply.body)["errors"]
    assert reply.status == 400
    assert [entry["source"] for entry in entries] == [
        {"parameter": "page[size]"},
        {"pointer": "/data"},
    ]
    assert [entry["code"] for entry in entries] == ["INVALID_INPUT_FORMAT"] * 2
