"""v2.0 error bodies (spec 7.3): ``{"type", "code", "description", "docURL", "statusCode",
"requestId", "resolution": {"type"(, "url")}, "detail"(validation only),
"suggestedUserMessage"}``, for a :class:`Problem` and for every scripted fault."""

from __future__ import annotations

import json
import uuid
from typing import Any, Dict, Optional, Tuple

from smartcar.emulator.faults import STATUS_TYPES, V1_ERROR_TYPES, Fault
from smartcar.emulator.problems import STATUSES, Problem
from smartcar.emulator.web import JSON, Reply

DOCS = "https://smartcar.com/docs/errors/api-errors"
REAUTHENTICATE_URL = "https://connect.smartcar.com/oauth/reauthenticate"

# type -> (resolution type, documentation page, suggested user message)
TYPES: Dict[str, Tuple[Optional[str], str, str]] = {
    "CONNECTED_SERVICES_ACCOUNT": (
        "CONTACT_SUPPORT",
        "connected-services-account-errors",
        "Your vehicle's connected services account needs attention. Check it with the brand.",
    ),
    "VALIDATION": (None, "validation-errors", "Something went wrong. Please try again."),
    "AUTHENTICATION": (
        "REAUTHENTICATE",
        "authentication-errors",
        "Your vehicle's connection expired. Please connect it again.",
    ),
    "PERMISSION": (
        "REAUTHENTICATE",
        "permission-errors",
        "This application needs more permissions. Please connect your vehicle again.",
    ),
    "RESOURCE_NOT_FOUND": (None, "resource-not-found-errors", "Something went wrong."),
    "VEHICLE_STATE": (
        None,
        "vehicle-state-errors",
        "Your vehicle could not do this in its current state. Please try again later.",
    ),
    "RATE_LIMIT": (
        "RETRY_LATER",
        "rate-limit-errors",
        "Your vehicle received too many requests. Please try again in a few minutes.",
    ),
    "BILLING": ("CONTACT_SUPPORT", "billing-errors", "This vehicle reached its request limit."),
    "SERVER": ("RETRY_LATER", "server-errors", "Something went wrong. Please try again later."),
    "COMPATIBILITY": (
        None,
        "compatibility-errors",
        "Your vehicle does not support this feature.",
    ),
    "UPSTREAM": (
        "RETRY_LATER",
        "upstream-errors",
        "Your vehicle's brand is not responding. Please try again later.",
    ),
}
# type -> default code (None: the type alone says it)
DEFAULT_CODES: Dict[str, Optional[str]] = {
    "RESOURCE_NOT_FOUND": "PATH",
    "VEHICLE_STATE": "ASLEEP",
    "RATE_LIMIT": "SMARTCAR_API",
    "BILLING": "VEHICLE_REQUEST_LIMIT",
    "SERVER": "INTERNAL",
    "COMPATIBILITY": "VEHICLE_NOT_CAPABLE",
    "UPSTREAM": "UNKNOWN_ISSUE",
    "CONNECTED_SERVICES_ACCOUNT": "ACCOUNT_ISSUE",
}
DESCRIPTIONS: Dict[str, str] = {
    "CONNECTED_SERVICES_ACCOUNT": "The vehicle owner's connected services account has an issue.",
    "VALIDATION": "Request invalid or malformed. Please check for missing parameters.",
    "AUTHENTICATION": "The authorization token is missing, invalid or expired.",
    "PERMISSION": "Insufficient permissions to access the requested resource.",
    "RESOURCE_NOT_FOUND": "The requested resource does not exist.",
    "VEHICLE_STATE": "The vehicle cannot perform the request in its current state.",
    "RATE_LIMIT": "You have reached the throttling rate limit for this vehicle.",
    "BILLING": "You have reached the request limit of your plan for this vehicle.",
    "SERVER": "Unexpected server error. Please try again.",
    "COMPATIBILITY": "The vehicle is not capable of performing this request.",
    "UPSTREAM": "The vehicle's manufacturer did not answer as expected.",
}
_STATUS_CODES: Dict[int, str] = {504: "NO_RESPONSE"}
# v1.0 vehicle-state codes -> v2 codes
V1_CODES: Dict[str, str] = {
    "VS_003": "CHARGING_PLUG_NOT_CONNECTED",
    "VS_004": "FULLY_CHARGED",
}


def v2_body(
    type: str,
    code: Optional[str],
    description: str,
    status: int,
    request_id: str,
) -> Dict[str, Any]:
    """The v2.0 error body (``detail`` only for VALIDATION)."""
    resolution_type, page, suggestion = TYPES.get(type, TYPES["SERVER"])
    resolution: Dict[str, Any] = {"type": resolution_type}
    if resolution_type == "REAUTHENTICATE":
        resolution["url"] = REAUTHENTICATE_URL
    anchor = (code or type).lower().replace("_", "-")
    body: Dict[str, Any] = {
        "type": type,
        "code": code,
        "description": description,
        "docURL": f"{DOCS}/{page}#{anchor}",
        "statusCode": status,
        "requestId": request_id,
        "resolution": resolution,
        "suggestedUserMessage": suggestion,
    }
    if type == "VALIDATION":
        body["detail"] = [{"field": None, "message": description}]
    return body


def _reply(status: int, body: Dict[str, Any], headers: Dict[str, str]) -> Reply:
    data = json.dumps(body, separators=(",", ":")).encode()
    return Reply(status, data, JSON, headers)


def problem_reply(problem: Problem) -> Reply:
    """The v2.0 answer to ``problem`` (with ``sc-request-id`` equal to ``requestId``)."""
    request_id = str(uuid.uuid4())
    code = problem.code
    if code is None and problem.type in ("RESOURCE_NOT_FOUND", "SERVER"):
        code = DEFAULT_CODES[problem.type]
    body = v2_body(problem.type, code, problem.message, problem.status, request_id)
    return _reply(problem.status, body, {"sc-request-id": request_id, **problem.headers})


def fault_reply(fault: Fault) -> Reply:
    """A scripted fault in the v2.0 form: its ``error`` (a v2 type or a v1.0 name), its
    ``code`` (v2, or v1.0's ``VS_00x``), its ``message``; ``body``/``content_type``/
    ``headers`` override as for every surface."""
    status = fault.status if fault.status is not None else 500
    headers: Dict[str, str] = {}
    request_id = str(uuid.uuid4())
    if fault.body is not None:
        status_, raw_headers, data = fault.render()
        content_type = raw_headers.pop("Content-Type", JSON)
        return Reply(status_, data, content_type, {"sc-request-id": request_id, **raw_headers})
    type_, code = STATUS_TYPES.get(status, "SERVER"), None
    if fault.error is not None:
        if fault.error in V1_ERROR_TYPES:
            type_, code = V1_ERROR_TYPES[fault.error]
        elif fault.error in STATUSES:
            type_ = fault.error
    if fault.code is not None:
        code = V1_CODES.get(fault.code, fault.code)
    if code is None:
        code = _STATUS_CODES.get(status)
    if code is None:
        if type_ == "RATE_LIMIT":
            code = "VEHICLE" if fault.retry_after is not None else "SMARTCAR_API"
        else:
            code = DEFAULT_CODES.get(type_)
    description = fault.message or DESCRIPTIONS.get(type_, "Emulated error.")
    body = v2_body(type_, code, description, status, request_id)
    headers["sc-request-id"] = request_id
    if fault.retry_after is not None:
        headers["Retry-After"] = str(fault.retry_after)
    headers.update(fault.headers)
    data = json.dumps(body, separators=(",", ":")).encode()
    return Reply(status, data, fault.content_type or JSON, headers)
