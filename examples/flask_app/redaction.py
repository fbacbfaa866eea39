"""What the example shows or logs of an error: its text, with every credential hidden.

The SDK already hides the secrets of the request that failed. The app adds its own line of
defence at the only places where error text leaves it (error pages, flash messages, logs):

* the application's credentials in every form a server may echo them: the client secret
  and the application management token (raw, JSON-escaped, percent-encoded) and the HTTP
  Basic pair ``client_id:client_secret`` with its base64, through the SDK's redactor;
* secrets of the current request (the authorization ``code`` of ``/callback``);
* credentials recognisable by their shape whatever their value: ``Basic ...`` and
  ``Bearer ...`` header values, form fields such as ``refresh_token=...`` and JSON fields
  such as ``"access_token": "..."``.
"""

from __future__ import annotations

import re
import traceback
from typing import Iterable, Optional

from smartcar._redact import REDACTED, Redactor

__all__ = ["REDACTED", "ErrorText"]

_SECRET_FIELDS = (
    "access_token",
    "refresh_token",
    "id_token",
    "client_secret",
    "management_token",
    "password",
    "assertion",
)
_FIELD_NAMES = "|".join(_SECRET_FIELDS)
_HEADER_CREDENTIALS = re.compile(r"\b(Basic|Bearer)(\s+)[A-Za-z0-9._~+/=%-]+", re.IGNORECASE)
# `code=` only in form/query shape: a JSON "code" is an error code such as "VS_003".
_FORM_FIELD = re.compile(rf"\b({_FIELD_NAMES}|code)=[^&\s\"'<>]*", re.IGNORECASE)
_JSON_FIELD = re.compile(
    rf"""(["']?)\b({_FIELD_NAMES})\1(\s*[:=]\s*)(["'])(?:\\.|(?!\4).)*\4""", re.IGNORECASE
)


class ErrorText:
    """Turns an error (or any text) into what the app may show or log.

    Args:
        client_id: the application's client id (only hidden as part of the Basic pair).
        client_secret: the application's client secret.
        others: more secrets of the application (the management token that signs webhooks).
    """

    __slots__ = ("_app",)

    def __init__(
        self, client_id: str, client_secret: str, *, others: Iterable[Optional[str]] = ()
    ) -> None:
        self._app = Redactor((client_secret, *others), basic_auth=(client_id, client_secret))

    def __repr__(self) -> str:
        return "ErrorText(<redacting>)"

    def text(self, value: str, secrets: Iterable[Optional[str]] = ()) -> str:
        """Return ``value`` with the app's credentials, ``secrets`` and any credential
        recognisable by its shape replaced by ``[REDACTED]``."""
        value = self._app.text(value)
        extra = Redactor(secrets)
        if extra:
            value = extra.text(value)
        value = _HEADER_CREDENTIALS.sub(rf"\1\2{REDACTED}", value)
        value = _FORM_FIELD.sub(rf"\1={REDACTED}", value)
        return _JSON_FIELD.sub(rf"\1\2\1\3\4{REDACTED}\4", value)

    def of(self, error: BaseException, secrets: Iterable[Optional[str]] = ()) -> str:
        """``str(error)``, redacted."""
        return self.text(str(error), secrets)

    def traceback(self, error: BaseException, secrets: Iterable[Optional[str]] = ()) -> str:
        """The formatted traceback of ``error`` (with its causes), redacted."""
        formatted = "".join(traceback.format_exception(type(error), error, error.__traceback__))
        return self.text(formatted, secrets)
