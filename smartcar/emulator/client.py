"""A programmatic user for the emulated Connect pages."""

from __future__ import annotations

from html.parser import HTMLParser
from typing import Dict, List, Optional, Tuple
from urllib.parse import urljoin

import requests

from smartcar.emulator import DEFAULT_PASSWORD, DEFAULT_USER

_MAX_STEPS = 10


class ConnectError(Exception):
    """Connect did not end in a redirect to the application (e.g. it showed an error page)."""

    def __init__(self, message: str, status: Optional[int] = None) -> None:
        super().__init__(message)
        self.status = status


class _Form:
    def __init__(self, form_id: str, action: str) -> None:
        self.id = form_id
        self.action = action
        self.fields: List[Tuple[str, str]] = []  # hidden and text inputs
        self.choices: List[Tuple[str, str, bool]] = []  # checkbox/radio: name, value, checked
        self.buttons: Dict[str, Tuple[str, str]] = {}  # id or data-make -> (name, value)


class _PageParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.forms: List[_Form] = []
        self.texts: Dict[str, str] = {}
        self._capture: Optional[str] = None

    def handle_starttag(self, tag: str, attrs: List[Tuple[str, Optional[str]]]) -> None:
        attr = {key: value or "" for key, value in attrs}
        if tag == "form":
            self.forms.append(_Form(attr.get("id", ""), attr.get("action", "")))
            return
        if attr.get("id") in ("error-message", "login-error", "grant-error"):
            self._capture = attr["id"]
            self.texts[self._capture] = ""
        if not self.forms:
            return
        form = self.forms[-1]
        if tag == "input":
            kind = attr.get("type", "text")
            if kind in ("checkbox", "radio"):
                form.choices.append(
                    (attr.get("name", ""), attr.get("value", ""), "checked" in attr)
                )
            elif attr.get("name"):
                form.fields.append((attr["name"], attr.get("value", "")))
        elif tag == "button":
            key = attr.get("data-make") or attr.get("id")
            if key and attr.get("name"):
                form.buttons[key] = (attr["name"], attr.get("value", ""))

    def handle_endtag(self, tag: str) -> None:
        if tag in ("div", "p"):
            self._capture = None

    def handle_data(self, data: str) -> None:
        if self._capture is not None:
            self.texts[self._capture] += data


def connect(
    auth_url: str,
    make: Optional[str] = None,
    approve: bool = True,
    email: str = DEFAULT_USER,
    password: str = DEFAULT_PASSWORD,
    session: Optional[requests.Session] = None,
    vehicles: Optional[List[str]] = None,
    timeout: float = 10.0,
) -> str:
    """Go through the emulator's Connect pages as a browser would (introduction, brand,
    sign-in, permissions) and return the URL that Connect redirects to
    (``redirect_uri?code=..&state=..`` or ``?error=access_denied..``), without following it.

    ``make`` picks the brand when the brand page is shown (default: every brand; in test
    mode a brand is needed);
    ``vehicles`` (ids) narrows the vehicles shared (default: those pre-selected).
    Raises :class:`ConnectError` when Connect shows an error instead.
    """
    http = session if session is not None else requests.Session()
    try:
        response = http.get(auth_url, allow_redirects=False, timeout=timeout)
        for _ in range(_MAX_STEPS):
            if response.is_redirect or response.status_code in (301, 302, 303, 307, 308):
                return urljoin(response.url, response.headers["Location"])
            parser = _PageParser()
            parser.feed(response.text)
            if response.status_code != 200:
                text = parser.texts.get("error-message") or response.text[:200]
                raise ConnectError(text.strip(), response.status_code)
            for key in ("login-error", "grant-error"):
                if key in parser.texts:
                    raise ConnectError(parser.texts[key].strip(), response.status_code)
            form = parser.forms[0] if parser.forms else None
            if form is None:
                raise ConnectError("Connect showed a page without a form", response.status_code)
            data: List[Tuple[str, str]] = list(form.fields)
            if form.id == "intro-form":
                pass  # "Continue"
            elif form.id == "brand-form":
                choice = (make or "ALL").upper()
                if choice not in form.buttons:
                    raise ConnectError(f"the brand page does not offer {choice}")
                data.append(form.buttons[choice])
            elif form.id == "login-form":
                data = [
                    (name, value) for name, value in data if name not in ("username", "password")
                ]
                data += [("username", email), ("password", password)]
            elif form.id == "grant-form":
                for name, value, checked in form.choices:
                    if (vehicles is None and checked) or (
                        vehicles is not None and value in vehicles
                    ):
                        data.append((name, value))
                data.append(form.buttons["approval-button" if approve else "deny-button"])
            else:
                raise ConnectError(f"unexpected Connect form {form.id!r}")
            target = urljoin(response.url, form.action)
            response = http.post(target, data=data, allow_redirects=False, timeout=timeout)
        raise ConnectError("Connect did not finish within the expected number of pages")
    finally:
        if session is None:
            http.close()
