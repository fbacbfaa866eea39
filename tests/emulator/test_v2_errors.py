"""routes.v2_errors: v2 bodies for problems and faults."""

from __future__ import annotations

import json

from smartcar.emulator.faults import FaultSet
from smartcar.emulator.problems import Problem
from smartcar.emulator.routes import v2_errors


def test_problem_body_has_every_field() -> None:
    reply = v2_errors.problem_reply(Problem("VALIDATION", "limit is wrong"))
    body = json.loads(reply.body)
    assert set(body) == {
        "type", "code", "description", "docURL", "statusCode", "requestId", "resolution",
        "detail", "suggestedUserMessage",
    }  # fmt: skip
    assert body["requestId"] == reply.headers["sc-request-id"]
    assert body["detail"] == [{"field": None, "message": "limit is wrong"}]


def test_fault_forms() -> None:
    faults = FaultSet()
    rate = v2_errors.fault_reply(faults.add("*", status=429, retry_after=5))
    assert json.loads(rate.body)["code"] == "VEHICLE" and rate.headers["Retry-After"] == "5"
    named = v2_errors.fault_reply(faults.add("*", status=501, error="smartcar_not_capable_error"))
    assert json.loads(named.body)["code"] == "SMARTCAR_NOT_CAPABLE"
    v1_code = v2_errors.fault_reply(faults.add("*", status=409, code="VS_004"))
    assert json.loads(v1_code.body)["code"] == "FULLY_CHARGED"
    raw = v2_errors.fault_reply(faults.add("*", status=502, body=b"x", content_type="text/x"))
    assert (raw.status, raw.body, raw.content_type) == (502, b"x", "text/x")
    billing = json.loads(v2_errors.fault_reply(faults.add("*", status=430)).body)
    assert billing["resolution"] == {"type": "CONTACT_SUPPORT"}
