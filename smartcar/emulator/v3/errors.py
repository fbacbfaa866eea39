"""v3 error entries: ``{status, type, code, title, detail, links, resolution,
suggestedUserMessage}`` (spec section 6.1; :mod:`smartcar.emulator.renderers` lists them
as ``{"errors": [...]}``), and the v3 form of every scripted fault."""

from __future__ import annotations

import json
from http import HTTPStatus
from typing import Any, Dict, Optional, Tuple

from smartcar.emulator.faults import STATUS_TYPES, V1_ERROR_TYPES, Fault
from smartcar.emulator.problems import Problem

DOCS = "https://smartcar.com/docs/errors/api-errors"

# type -> (HTTP status, default code, resolution type, documentation page)
TYPES: Dict[str, Tuple[int, Optional[str], Optional[str], str]] = {
    "VALIDATION": (400, "INVALID_INPUT_FORMAT", None, "validation-errors"),
    "CONNECTED_SERVICES_ACCOUNT": (
        400, "ACCOUNT_ISSUE", "CONTACT_SUPPORT", "connected-services-account-errors"
    ),
    "AUTHENTICATION": (401, "UNAUTHORIZED", "REAUTHENTICATE", "authentication-errors"),
    "PERMISSION": (403, None, "REAUTHENTICATE", "permission-errors"),
    "RESOURCE_NOT_FOUND": (404, "PATH", None, "resource-not-found-errors"),
    "VEHICLE_STATE": (409, "UNKNOWN", "RETRY_LATER", "vehicle-state-errors"),
    "RATE_LIMIT": (429, "VEHICLE", "RETRY_LATER", "rate-limit-errors"),
    "BILLING": (430, "VEHICLE_REQUEST_LIMIT", "CONTACT_SUPPORT", "billing-errors"),
    "SERVER": (500, "INTERNAL", "RETRY_LATER", "server-errors"),
    "COMPATIBILITY": (501, "VEHICLE_NOT_CAPABLE", None, "compatibility-errors"),
    "UPSTREAM": (502, "UNKNOWN_ISSUE", "RETRY_LATER", "upstream-errors"),
}  # fmt: skip
# Defaults for statuses whose type alone does not say it (e.g. 504 is a timeout).
_STATUS_CODES: Dict[int, str] = {503: "INTERNAL", 504: "NO_RESPONSE"}
_DETAILS: Dict[str, str] = {
    "VALIDATION": "Request invalid or malformed. Please check for missing parameters.",
    "CONNECTED_SERVICES_ACCOUNT": "The vehicle owner's connected services account has an issue.",
    "AUTHENTICATION": "The Authorization token is missing or invalid.",
    "PERMISSION": "This application lacks the permission for this request.",
    "RESOURCE_NOT_FOUND": "The requested resource does not exist.",
    "VEHICLE_STATE": "The vehicle cannot perform the request in its current state.",
    "RATE_LIMIT": "The vehicle received too many requests; retry after the Retry-After seconds.",
    "BILLING": "The vehicle reached its request limit for this billing period.",
    "SERVER": "Smartcar hit an unexpected error. Please retry your request at a later time.",
    "COMPATIBILITY": "The vehicle is not capable of performing this request.",
    "UPSTREAM": "Smartcar received an unexpected answer from the vehicle's manufacturer. "
    "Please retry your request at a later time.",
}  # fmt: skip
_USER_MESSAGES: Dict[str, str] = {
    "VEHICLE_STATE": "Your car cannot do this right now. Please try again later.",
    "UPSTREAM": "Your car is temporarily unable to connect. Please try again later.",
    "SERVER": "Something went wrong. Please try again later.",
    "COMPATIBILITY": "Your car does not support this feature.",
    "RATE_LIMIT": "Your car received too many requests. Please try again in a moment.",
}


def phrase(status: int) -> str:
    """The reason phrase of ``status`` (``"Bad Gateway"``; 430 is Smartcar's own)."""
    if status == 430:
        return "Monthly Limit Exceeded"
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


def error_entry(
    error_type: str,
    code: Optional[str] = None,
    detail: Optional[str] = None,
    status: Optional[int] = None,
) -> Dict[str, Any]:
    """One entry of a v3 ``errors`` list; ``code`` and ``status`` default from the type."""
    known = TYPES.get(error_type)
    default_status, default_code, resolution, page = (
        known if known is not None else (status or 500, None, None, "")
    )
    status = status if status is not None else default_status
    if code is None:
        code = _STATUS_CODES.get(status, default_code) if known else None
    anchor = f"#{code.lower().replace('_', '-')}" if code else ""
    entry: Dict[str, Any] = {
        "status": str(status),
        "type": error_type,
        "code": code,
        "title": phrase(status),
        "detail": detail or _DETAILS.get(error_type, "Emulated error."),
        "links": {"about": f"{DOCS}/{page}{anchor}" if page else DOCS},
        "resolution": {"type": resolution},
    }
    message = _USER_MESSAGES.get(error_type)
    if message is not None:
        entry["suggestedUserMessage"] = message
    return entry


def invalid_input(detail: str, where: str) -> Problem:
    """400 VALIDATION/INVALID_INPUT_FORMAT about ``where``: a JSON pointer into the body
    (``"/data/attributes/percent"``) or a query parameter (``"page[size]"``)."""
    source = {"pointer": where} if where.startswith("/") else {"parameter": where}
    return Problem("VALIDATION", detail, "INVALID_INPUT_FORMAT", source=source)


def fault_error(fault: Fault) -> Tuple[int, Dict[str, Any]]:
    """The status and v3 error entry a scripted fault with a ``status`` stands for.

    ``fault.error`` may name a v3 type (``"UPSTREAM"``) or a v1.0 error name
    (``"smartcar_not_capable_error"``); ``fault.code`` and ``fault.message`` override the
    entry's code and detail.
    """
    status = fault.status if fault.status is not None else 500
    error_type = STATUS_TYPES.get(status, "SERVER")
    code: Optional[str] = None
    if fault.error:
        name = fault.error
        if name in V1_ERROR_TYPES:
            error_type, code = V1_ERROR_TYPES[name]
        else:
            error_type = name.upper()
    if fault.code:
        code = fault.code
    entry = error_entry(error_type, code, fault.message, status)
    return int(entry["status"]), entry


def render_fault(fault: Fault) -> Tuple[int, Dict[str, str], bytes]:
    """Status, headers and body of a faulted v3 request (``fault.body`` wins when set)."""
    if fault.body is not None:
        return fault.render()
    status, entry = fault_error(fault)
    headers = {"Content-Type": fault.content_type or "application/json"}
    if fault.retry_after is not None:
        headers["Retry-After"] = str(fault.retry_after)
    headers.update(fault.headers)
    return status, headers, json.dumps({"errors": [entry]}).encode()
