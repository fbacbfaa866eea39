"""HTML of the emulated Connect pages (plain forms: they work without JavaScript), with
the steps and element ids of Smartcar's hosted Connect, so browser tests written against
Smartcar's test mode click through them unchanged:

1. the introduction: ``button#continue-button``;
2. the brand list (skipped when Connect was given a ``make`` or a ``single_select_vin``):
   one ``button#<MAKE>.brand-list-item`` per make (``button#CHEVROLET``);
3. the sign-in: ``#username``, ``#password``, ``#sign-in-button``;
4. the permissions: ``#approval-button`` (and ``#deny-button``), vehicle choices
   ``input[name=vehicle]``;

then the redirect to the application. Forms ``#intro-form``, ``#brand-form``,
``#login-form``, ``#grant-form``; on the error page ``#error-title`` and ``#error-message``.
"""

from __future__ import annotations

from html import escape
from typing import Optional, Sequence, Tuple

from smartcar.emulator.fleet import MAKE_LABELS
from smartcar.emulator.permissions import DESCRIPTIONS

ALL_MAKES = "ALL"
_ALL_LABEL = "All my vehicles (every brand, emulator only)"

_CSS = """
*{box-sizing:border-box}
body{margin:0;font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;
background:#eef1f5;color:#1d2330}
.card{max-width:440px;margin:48px auto;background:#fff;border-radius:14px;
box-shadow:0 6px 28px rgba(20,30,60,.12);overflow:hidden}
header{background:#1d2330;color:#fff;padding:18px 24px;display:flex;align-items:center;gap:10px}
header .logo{font-weight:700;letter-spacing:.02em}
header .tag{margin-left:auto;font-size:12px;background:#ffb020;color:#1d2330;
padding:2px 8px;border-radius:10px;font-weight:600}
main{padding:22px 24px 26px}
h1{font-size:20px;margin:0 0 6px}
p.sub{margin:0 0 18px;color:#4a5263}
.grid{display:grid;grid-template-columns:1fr 1fr;gap:10px}
button{font:inherit;cursor:pointer;border-radius:9px;border:1px solid #c9d0dc;
background:#fff;padding:11px 14px}
button:hover{border-color:#3b6ef5}
button.brand{font-weight:600;text-align:left}
button.all{grid-column:1/-1;color:#5a6375;font-weight:500}
button:focus-visible,input:focus-visible{outline:3px solid #1d4ed8;outline-offset:2px}
button.primary{background:#2f5fe0;border-color:#2f5fe0;color:#fff;font-weight:600}
button.secondary{color:#1d2330}
label{display:block;font-weight:600;margin:12px 0 4px}
input[type=email],input[type=text],input[type=password]{width:100%;padding:10px 12px;font:inherit;
border:1px solid #c9d0dc;border-radius:9px}
.actions{display:flex;gap:10px;margin-top:20px}
.actions button{flex:1}
ul.scopes{list-style:none;padding:0;margin:0 0 16px}
ul.scopes li{padding:8px 0 8px 26px;border-bottom:1px solid #eef1f5;position:relative}
ul.scopes li:before{content:"\\2713";position:absolute;left:4px;color:#3b6ef5;font-weight:700}
.vehicle{display:flex;gap:10px;align-items:flex-start;padding:8px 0}
.vehicle label{margin:0;font-weight:500}
.vehicle small{display:block;color:#4a5263;font-family:ui-monospace,monospace}
fieldset{border:0;padding:0;margin:0}
legend{font-weight:600;margin-bottom:6px}
.error{background:#fdecec;color:#a11d1d;padding:10px 12px;border-radius:9px;margin-bottom:14px}
footer{font-size:12px;color:#5f6778;padding:0 24px 18px}
"""


def _page(title: str, body: str, test_mode: bool = False) -> str:
    tag = '<span class="tag">TEST MODE</span>' if test_mode else '<span class="tag">EMULATOR</span>'
    return (
        '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        f"<title>{escape(title)} - Smartcar Connect</title><style>{_CSS}</style></head>"
        f'<body><div class="card"><header><span class="logo">Smartcar Connect</span>{tag}'
        f'</header><main id="main">{body}</main>'
        "<footer>Local Smartcar emulator. No real vehicle or account is involved.</footer>"
        "</div></body></html>"
    )


def _hidden(name: str, value: str) -> str:
    return f'<input type="hidden" name="{escape(name)}" value="{escape(value)}">'


def make_label(make: str) -> str:
    return MAKE_LABELS.get(make, make.title())


def error_page(title: str, message: str) -> str:
    body = (
        f'<h1 id="error-title">{escape(title)}</h1>'
        f'<p class="sub" id="error-message">{escape(message)}</p>'
    )
    return _page(title, body)


def intro_page(sid: str, app_name: str, test_mode: bool) -> str:
    """Connect's first step: what is about to happen, and ``button#continue-button``."""
    body = (
        f"<h1>{escape(app_name)} uses Smartcar to connect to your vehicle</h1>"
        '<p class="sub">You will choose your vehicle\'s brand, sign in to its connected-car '
        "account, and review the permissions before anything is shared.</p>"
        '<form id="intro-form" method="post" action="/oauth/authorize/continue">'
        f'{_hidden("sid", sid)}<div class="actions">'
        '<button id="continue-button" class="primary" type="submit">Continue</button>'
        "</div></form>"
    )
    return _page("Connect your vehicle", body, test_mode)


def brand_page(sid: str, makes: Sequence[str], app_name: str, test_mode: bool) -> str:
    """The brand list: ``button#<MAKE>.brand-list-item`` per make (and, outside test mode,
    the emulator's ``button#ALL`` choice, every brand of the garage)."""
    choices = list(makes) if test_mode else [*makes, ALL_MAKES]
    buttons = "".join(
        f'<button id="{escape(make)}" class="brand brand-list-item'
        f'{" all" if make == ALL_MAKES else ""}" type="submit" name="make" '
        f'value="{escape(make)}" data-make="{escape(make)}">'
        f"{escape(_ALL_LABEL if make == ALL_MAKES else make_label(make))}"
        "</button>"
        for make in choices
    )
    body = (
        '<h1 id="brand-title">Choose your vehicle\'s brand</h1>'
        f'<p class="sub">{escape(app_name)} wants to connect to your vehicle.</p>'
        f'<form id="brand-form" method="post" action="/oauth/authorize/brand" '
        f'aria-labelledby="brand-title">{_hidden("sid", sid)}'
        f'<div class="grid">{buttons}</div></form>'
    )
    return _page("Choose your brand", body, test_mode)


def login_page(
    sid: str, make: str, test_mode: bool, error: Optional[str] = None, email: str = ""
) -> str:
    label = (
        "your connected-car account" if make == ALL_MAKES else f"your {make_label(make)} account"
    )
    alert = (
        f'<div class="error" id="login-error" role="alert">{escape(error)}</div>' if error else ""
    )
    hint = (
        "Test mode: any email and password work, and each brand gives its test vehicle."
        if test_mode
        else "Any email and password work here; the email picks the garage."
    )
    body = (
        f"<h1>Sign in to {escape(label)}</h1>"
        f'<p class="sub">{hint}</p>'
        f"{alert}"
        '<form id="login-form" method="post" action="/oauth/authorize/login">'
        f"{_hidden('sid', sid)}{_hidden('make', make)}"
        '<label for="username">Email</label>'
        f'<input id="username" name="username" type="email" required autocomplete="username" '
        f'value="{escape(email)}">'
        '<label for="password">Password</label>'
        '<input id="password" name="password" type="password" required '
        'autocomplete="current-password">'
        '<div class="actions"><button id="sign-in-button" class="primary" type="submit">'
        "Sign in</button></div></form>"
    )
    return _page("Sign in", body, test_mode)


def grant_page(
    sid: str,
    app_name: str,
    scopes: Sequence[str],
    vehicles: Sequence[Tuple[str, str, str]],
    single_select: bool,
    test_mode: bool,
    error: Optional[str] = None,
) -> str:
    """``vehicles``: (id, label, vin) of each vehicle the user may share."""
    items = "".join(
        f'<li data-scope="{escape(name)}">{escape(DESCRIPTIONS.get(name, name))}</li>'
        for name in scopes
    )
    kind = "radio" if single_select else "checkbox"
    legend = "Vehicle to share" if single_select else "Vehicles to share"
    choices = "".join(
        f'<div class="vehicle"><input type="{kind}" name="vehicle" id="vehicle-{index}" '
        f'value="{escape(vehicle_id)}"{" checked" if index == 0 or not single_select else ""}>'
        f'<label for="vehicle-{index}">{escape(label)}<small>VIN {escape(vin)}</small></label>'
        "</div>"
        for index, (vehicle_id, label, vin) in enumerate(vehicles)
    )
    alert = (
        f'<div class="error" id="grant-error" role="alert">{escape(error)}</div>' if error else ""
    )
    body = (
        f'<h1 id="grant-title">{escape(app_name)} would like to</h1>'
        f'<p class="sub">Review what this application may do with your vehicle.</p>{alert}'
        '<form id="grant-form" method="post" action="/oauth/authorize/grant" '
        'aria-labelledby="grant-title">'
        f'{_hidden("sid", sid)}<ul class="scopes" id="scopes">{items}</ul>'
        f'<fieldset id="vehicles"><legend>{legend}</legend>{choices}</fieldset>'
        '<div class="actions">'
        '<button id="deny-button" class="secondary" type="submit" name="decision" '
        'value="deny">Deny</button>'
        '<button id="approval-button" class="primary" type="submit" name="decision" '
        'value="approve">Allow</button></div></form>'
    )
    return _page("Grant access", body, test_mode)


def index_page(origin_hint: str) -> str:
    body = (
        "<h1>Smartcar emulator</h1>"
        '<p class="sub">A local, stateful Smartcar: Connect at <code>/oauth/authorize</code>, '
        "tokens at <code>/oauth/token</code>, the API under <code>/v1.0</code>, admin under "
        f"<code>/_emulator</code>.</p><p>{escape(origin_hint)}</p>"
    )
    return _page("Emulator", body)
