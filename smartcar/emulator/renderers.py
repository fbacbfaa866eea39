"""One renderer per error family: how a surface words a :class:`Problem` and a scripted
:class:`Fault`. A surface's route table (:class:`~smartcar.emulator.routes.base.RouteTable`)
names its family; handlers only raise :class:`Problem`.

======== ============================================== =====================================
family   problem body                                   surfaces
======== ============================================== =====================================
V1       ``{error, message, code?, statusCode, ...}``   v1.0 (and unknown paths)
V2       ``{type, code, description, docURL, ...}``     v2.0, v2.0 management
V3       ``{"errors": [{status, type, code, ...}]}``    v3 vehicles, v3 management
OAUTH    ``{error, error_description}``                 ``/oauth/token``, ``/oauth2/token``
ADMIN    ``{error, message}``                           ``/_emulator``
CONNECT  an HTML error page                             Connect (``/``, ``/oauth/authorize``)
======== ============================================== =====================================
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any, Callable, Dict, Optional

from smartcar.emulator import pages
from smartcar.emulator.faults import Fault, error_body
from smartcar.emulator.problems import Problem
from smartcar.emulator.routes import v2_errors
from smartcar.emulator.v3.errors import error_entry, phrase, render_fault
from smartcar.emulator.web import REQUEST_ID_HEADER, Reply, html_reply, json_reply, raw_reply


@dataclass(frozen=True)
class Family:
    """The answers of one error family: ``problem`` for a raised :class:`Problem`,
    ``fault`` for a scripted fault."""

    name: str
    problem: Callable[[Problem], Reply]
    fault: Callable[[Fault], Reply]


# ---------------------------------------------------------------------------- v1.0
# Smartcar error type -> the v1.0 ``error`` name
V1_ERRORS: Dict[str, str] = {
    "VALIDATION": "validation_error",
    "CONNECTED_SERVICES_ACCOUNT": "validation_error",
    "AUTHENTICATION": "authentication_error",
    "PERMISSION": "permission_error",
    "RESOURCE_NOT_FOUND": "resource_not_found_error",
    "VEHICLE_STATE": "vehicle_state_error",
    "RATE_LIMIT": "rate_limit_error",
    "BILLING": "monthly_limit_exceeded",
    "SERVER": "server_error",
    "COMPATIBILITY": "vehicle_not_capable_error",
    "UPSTREAM": "server_error",
}
# v2 codes that v1.0 spells otherwise
V1_CODES: Dict[str, str] = {"CHARGING_PLUG_NOT_CONNECTED": "VS_003", "FULLY_CHARGED": "VS_004"}


def v1_error(problem: Problem, request_id: Optional[str] = None) -> Dict[str, Any]:
    """The v1.0 body of ``problem`` (with ``statusCode`` and ``requestId``, as the
    official 6.x SDK reads them from the body, when ``request_id`` is given)."""
    error = V1_ERRORS[problem.type]
    code: Optional[str] = None
    if problem.type == "COMPATIBILITY":
        if problem.code == "SMARTCAR_NOT_CAPABLE":
            error = "smartcar_not_capable_error"
    elif problem.type == "VEHICLE_STATE" and problem.code is not None:
        code = V1_CODES.get(problem.code, problem.code)
    message = None if problem.type == "RATE_LIMIT" else (problem.message or None)
    body = error_body(problem.status, error, message, code)
    if request_id is not None:
        body["statusCode"] = problem.status
        body["requestId"] = request_id
    return body


def _v1_problem(problem: Problem) -> Reply:
    request_id = str(uuid.uuid4())
    headers = {REQUEST_ID_HEADER: request_id, **problem.headers}
    return json_reply(problem.status, v1_error(problem, request_id), headers)


def _plain_fault(fault: Fault) -> Reply:
    return raw_reply(*fault.render())


V1 = Family("v1", _v1_problem, _plain_fault)
V2 = Family("v2", v2_errors.problem_reply, v2_errors.fault_reply)


# ---------------------------------------------------------------------------- v3
def v3_body(problem: Problem) -> Dict[str, Any]:
    """``{"errors": [...]}``: one entry per problem of ``problem.each()``."""
    entries = []
    for item in problem.each():
        entry = error_entry(item.type, item.code, item.message or None, item.status)
        if item.source is not None:
            entry["source"] = dict(item.source)
        entries.append(entry)
    return {"errors": entries}


def _v3_problem(problem: Problem) -> Reply:
    return json_reply(problem.status, v3_body(problem), problem.headers)


def _v3_fault(fault: Fault) -> Reply:
    return raw_reply(*render_fault(fault))


V3 = Family("v3", _v3_problem, _v3_fault)


# ---------------------------------------------------------------------------- OAuth
# Smartcar error type -> the OAuth ``error`` a problem without a code words
_OAUTH_ERRORS: Dict[str, str] = {
    "VALIDATION": "invalid_request",
    "AUTHENTICATION": "invalid_client",
    "RATE_LIMIT": "rate_limited",
}


def _oauth_problem(problem: Problem) -> Reply:
    # OAuth error names are lower case (invalid_grant); a Smartcar code (VEHICLE) is not one
    code = problem.code if problem.code is not None and problem.code.islower() else None
    error = code or _OAUTH_ERRORS.get(problem.type, "server_error")
    headers = {"WWW-Authenticate": 'Basic realm="smartcar"'} if problem.status == 401 else {}
    headers.update(problem.headers)
    payload = {"error": error, "error_description": problem.message or phrase(problem.status)}
    return json_reply(problem.status, payload, headers)


def _oauth_fault(fault: Fault) -> Reply:
    return raw_reply(*fault.render(oauth=True))


OAUTH = Family("oauth", _oauth_problem, _oauth_fault)


# ---------------------------------------------------------------------------- admin
def _admin_problem(problem: Problem) -> Reply:
    body = {"error": V1_ERRORS[problem.type], "message": problem.message}
    return json_reply(problem.status, body, problem.headers)


ADMIN = Family("admin", _admin_problem, _plain_fault)


# ---------------------------------------------------------------------------- Connect
def _connect_problem(problem: Problem) -> Reply:
    title = problem.title or phrase(problem.status)
    return html_reply(problem.status, pages.error_page(title, problem.message))


CONNECT = Family("connect", _connect_problem, _plain_fault)
