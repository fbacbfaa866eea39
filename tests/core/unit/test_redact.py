"""``smartcar._redact``: secrets a server echoes back never reach what the SDK shows."""

from __future__ import annotations

import base64
import json
import pickle
import re
from typing import Any, List
from urllib.parse import quote, quote_plus, urlencode

import pytest
import responses
from unit_support import AUTH, CLIENT_ID, CLIENT_SECRET

from smartcar import api
from smartcar._redact import REDACTED, Redactor
from smartcar.exceptions import SmartcarException, ValidationException

# Characters that change under every encoding: space, '/', '+', '=', '&', '%', non-ASCII.
REFRESH = "refresh/tok+en=with&odd chars%é-REFRESHSECRET"
CODE = "code-CODESECRET-1234"


def basic(user: str, password: str) -> str:
    return base64.b64encode(f"{user}:{password}".encode()).decode("ascii")


def echoed_forms() -> List[str]:
    """Every form a server might echo the request's credentials in."""
    token_b64 = basic(CLIENT_ID, CLIENT_SECRET)
    return [
        CLIENT_SECRET,
        f"{CLIENT_ID}:{CLIENT_SECRET}",
        token_b64,
        token_b64.rstrip("="),
        base64.urlsafe_b64encode(f"{CLIENT_ID}:{CLIENT_SECRET}".encode()).decode(),
        REFRESH,
        quote(REFRESH, safe=""),
        re.sub(r"%[0-9A-F]{2}", lambda m: m.group(0).lower(), quote(REFRESH, safe="")),
        quote_plus(REFRESH),
        urlencode({"refresh_token": REFRESH}).partition("=")[2],
        json.dumps(REFRESH)[1:-1],
        CODE,
    ]


def test_every_echoed_form_is_redacted() -> None:
    redactor = Redactor((REFRESH, CODE), basic_auth=(CLIENT_ID, CLIENT_SECRET))
    for form in echoed_forms():
        shown = redactor.text(f"before {form} after")
        assert form not in shown, form
        assert shown.startswith("before ") and shown.endswith(" after") and REDACTED in shown


@pytest.mark.parametrize(
    "secret", [123456789, 12.5e10, b"bytes-secret-value", bytearray(b"bytearray-secret")]
)
def test_secrets_of_any_type_are_accepted_and_hidden(secret: Any) -> None:
    text = secret.decode() if isinstance(secret, (bytes, bytearray)) else str(secret)
    assert Redactor([secret]).text(f"x{text}y") == f"x{REDACTED}y"


class Unprintable:
    def __str__(self) -> str:
        raise RuntimeError("no text")


@pytest.mark.parametrize("secret", [None, "", "abc", 7, Unprintable(), object()])
def test_unusable_or_short_secrets_never_crash(secret: Any) -> None:
    redactor = Redactor([secret], basic_auth=(None, secret))
    assert redactor.text("plain text abc 7") == "plain text abc 7"
    assert redactor.value({"a": ["abc", 7]}) == {"a": ["abc", 7]}


def test_deep_values_are_redacted_without_recursion_limits() -> None:
    nested: Any = {"token": CODE}
    for _ in range(5000):
        nested = [nested]
    redacted = Redactor([CODE]).value(nested)
    for _ in range(5000):
        redacted = redacted[0]
    assert redacted == {"token": REDACTED}


def test_dict_keys_are_redacted() -> None:
    assert Redactor([CODE]).value({CODE: 1}) == {REDACTED: 1}


def _echo_everything() -> str:
    return " ".join(f"{index}:{form}" for index, form in enumerate(echoed_forms()))


def test_token_endpoint_echoing_credentials_leaks_nothing(
    mocked: responses.RequestsMock,
) -> None:
    """The server echoes the Basic header, the form body and the secrets in every field."""
    echo = _echo_everything()
    mocked.post(
        AUTH,
        status=400,
        json={
            "error": "invalid_grant",
            "error_description": echo,
            "echo": {"headers": {"Authorization": "Basic " + basic(CLIENT_ID, CLIENT_SECRET)}},
            "form": urlencode({"grant_type": "refresh_token", "refresh_token": REFRESH}),
            "list": [echo, {"nested": echo}],
        },
    )
    with pytest.raises(ValidationException) as caught:
        api.request(
            "POST",
            AUTH,
            basic_auth=(CLIENT_ID, CLIENT_SECRET),
            form=[("grant_type", "refresh_token"), ("refresh_token", REFRESH)],
            secrets=(REFRESH, CODE),
        )
    error = caught.value
    shown = [
        str(error),
        repr(error),
        json.dumps(error.body),
        error.description,
        pickle.dumps(error).decode("latin-1"),
        str(pickle.loads(pickle.dumps(error)).body),
    ]
    for text in shown:
        for form in echoed_forms():
            assert form not in str(text), (form, text)


def test_plain_text_error_echo_is_redacted(mocked: responses.RequestsMock) -> None:
    mocked.post(AUTH, status=401, body="Unauthorized: Basic " + basic(CLIENT_ID, CLIENT_SECRET))
    with pytest.raises(SmartcarException) as caught:
        api.request("POST", AUTH, basic_auth=(CLIENT_ID, CLIENT_SECRET), form=[("a", "b")])
    for text in (str(caught.value), str(caught.value.body), pickle.dumps(caught.value)):
        assert basic(CLIENT_ID, CLIENT_SECRET) not in str(text)


@pytest.mark.parametrize("secret", [123456789, b"bytes-code-BYTESSECRET"])
def test_non_string_secret_still_surfaces_the_real_error(
    secret: Any, mocked: responses.RequestsMock
) -> None:
    """``exchange_code(123)``: the 400 answer must come out as itself, not a TypeError."""
    text = secret.decode() if isinstance(secret, bytes) else str(secret)
    mocked.post(
        AUTH, status=400, json={"error": "invalid_grant", "error_description": f"bad code {text}"}
    )
    with pytest.raises(ValidationException) as caught:
        api.request(
            "POST",
            AUTH,
            basic_auth=(CLIENT_ID, CLIENT_SECRET),
            form=[("grant_type", "authorization_code"), ("code", text)],
            secrets=(secret,),
        )
    assert caught.value.error == "invalid_grant"
    assert str(caught.value) == f"bad code {REDACTED}"
