"""One renderer per error family: the same Problem worded by each surface's family."""

from __future__ import annotations

import json

import pytest

from smartcar.emulator.faults import FaultSet
from smartcar.emulator.problems import Problem
from smartcar.emulator.renderers import ADMIN, CONNECT, OAUTH, V1, V2, V3, Family

NOT_PLUGGED = Problem("VEHICLE_STATE", "Plug it in.", "CHARGING_PLUG_NOT_CONNECTED")


def test_v1_words_the_type_as_an_error_name_and_the_code_as_v1_spells_it() -> None:
    reply = V1.problem(NOT_PLUGGED)
    body = json.loads(reply.body)
    assert (reply.status, body["error"], body["code"]) == (409, "vehicle_state_error", "VS_003")
    assert body["requestId"] == reply.headers["sc-request-id"]


def test_v2_words_type_code_and_description() -> None:
    body = json.loads(V2.problem(NOT_PLUGGED).body)
    assert (body["type"], body["code"], body["description"]) == (
        "VEHICLE_STATE",
        "CHARGING_PLUG_NOT_CONNECTED",
        "Plug it in.",
    )


def test_v3_lists_every_part_and_defaults_an_empty_message() -> None:
    problem = Problem.all([Problem("VALIDATION", source={"parameter": "x"}), NOT_PLUGGED])
    reply = V3.problem(problem)
    first, second = json.loads(reply.body)["errors"]
    assert reply.status == 400
    assert first["source"] == {"parameter": "x"} and first["detail"].startswith("Request invalid")
    assert (second["status"], second["code"]) == ("409", "CHARGING_PLUG_NOT_CONNECTED")


def test_oauth_words_the_code_as_the_error_and_asks_for_basic_auth_on_401() -> None:
    reply = OAUTH.problem(Problem("AUTHENTICATION", "Who are you?", "invalid_client"))
    assert reply.status == 401 and reply.headers["WWW-Authenticate"].startswith("Basic")
    assert json.loads(reply.body) == {
        "error": "invalid_client",
        "error_description": "Who are you?",
    }
    fallback = json.loads(OAUTH.problem(Problem("VALIDATION", "No.")).body)
    assert fallback["error"] == "invalid_request"
    limited = json.loads(OAUTH.problem(Problem("RATE_LIMIT", "Slow down.", "VEHICLE")).body)
    assert limited["error"] == "rate_limited"


def test_admin_and_connect() -> None:
    reply = ADMIN.problem(Problem("RESOURCE_NOT_FOUND", "No webhook w1."))
    assert (reply.status, json.loads(reply.body)) == (
        404,
        {"error": "resource_not_found_error", "message": "No webhook w1."},
    )
    page = CONNECT.problem(Problem("VALIDATION", "Try <again>.", title="Unknown brand"))
    assert page.status == 400 and page.content_type.startswith("text/html")
    assert b"Unknown brand" in page.body and b"Try &lt;again&gt;." in page.body


@pytest.mark.parametrize("family", [V1, V2, V3, OAUTH, ADMIN, CONNECT], ids=lambda f: f.name)
def test_every_family_renders_an_emulator_bug_and_a_fault(family: Family) -> None:
    reply = family.problem(Problem("SERVER", "Emulator bug: KeyError('x')", "INTERNAL"))
    assert reply.status == 500
    fault = FaultSet().add("*", status=502, retry_after=3)
    answer = family.fault(fault)
    assert answer.status == 502 and answer.headers.get("Retry-After") == "3"


def test_a_problem_names_a_known_type() -> None:
    with pytest.raises(ValueError):
        Problem("NOPE", "?")
