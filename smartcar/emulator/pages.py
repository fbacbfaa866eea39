"""HTML of the emulated Connect pages (plain forms: they work without JavaScript).

Stable hooks for browser tests: forms ``#brand-form``, ``#login-form``, ``#grant-form``;
brand buttons ``button[data-make=TESLA]``; fields ``#email`` and ``#password``; the
``#sign-in`` button; vehicle choices ``input[name=vehicle]``; buttons ``#approve`` and
``#deny``; on the error page ``#error-title`` and ``#error-message``.
"""

from __future__ import annotations

from html import escape
from typing import Optional, Sequence, Tuple

from smartcar.emulator.fleet import MAKE_LABELS
from smartcar.emulator.permissions import DESCRIPTIONS

ALL_MAKES = "ALL"

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
p.sub{margin:0 0 18px;color:#5a6375}
.grid{display:grid;grid-template-columns:1fr 1fr;gap:10px}
button{font:inherit;cursor:pointer;border-radius:9px;border:1px solid #c9d0dc;
background:#fff;padding:11px 14px}
button:hover{border-color:#3b6ef5}
button.brand{font-weight:600;text-align:left}
button.all{grid-column:1/-1;color:#5a6375;font-weight:500}
button.primary{background:#3b6ef5;border-color:#3b6ef5;color:#fff;font-weight:600}
button.secondary{color:#1d2330}
label{display:block;font-weight:600;margin:12px 0 4px}
input[type=email],input[type=password]{width:100%;padding:10px 12px;font:inherit;
border:1px solid #c9d0dc;border-radius:9px}
.actions{display:flex;gap:10px;margin-top:20px}
.actions button{flex:1}
ul.scopes{list-style:none;padding:0;margin:0 0 16px}
ul.scopes li{padding:8px 0 8px 26px;border-bottom:1px solid #eef1f5;position:relative}
ul.scopes li:before{content:"\\2713";position:absolute;left:4px;color:#3b6ef5;font-weight:700}
.vehicle{display:flex;gap:10px;align-items:flex-start;padding:8px 0}
.vehicle label{margin:0;font-weight:500}
.vehicle small{display:block;color:#5a6375;font-family:ui-monospace,monospace}
.error{background:#fdecec;color:#a11d1d;padding:10px 12px;border-radius:9px;margin-bottom:14px}
footer{font-size:12px;color:#8a93a5;padding:0 24px 18px}
"""


def _page(title: str, body: str, test_mode: bool = False) -> str:
    tag = '<span class="tag">TEST MODE</span>' if test_mode else '<span class="tag">EMULATOR</span>'
    return (
        '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        f"<title>{escape(title)} - Smartcar Connect</title><style>{_CSS}</style></head>"
        f'<body><div class="card"><header><span class="logo">Smartcar Connect</span>{tag}'
        f"</header><main>{body}</main>"
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


def brand_page(sid: str, makes: Sequence[str], app_name: str, test_mode: bool) -> str:
    buttons = "".join(
        f'<button class="brand" type="submit" name="make" value="{escape(make)}" '
        f'data-make="{escape(make)}">{escape(make_label(make))}</button>'
        for make in makes
    )
    buttons += (
        f'<button class="brand all" type="submit" name="make" value="{ALL_MAKES}" '
        f'data-make="{ALL_MAKES}">All my vehicles (every brand, emulator only)</button>'
    )
    body = (
        "<h1>Choose your vehicle's brand</h1>"
        f'<p class="sub">{escape(app_name)} wants to connect to your vehicle.</p>'
        f'<form id="brand-form" method="post" action="/oauth/authorize/brand">'
        f'{_hidden("sid", sid)}<div class="grid">{buttons}</div></form>'
    )
    return _page("Choose your brand", body, test_mode)


def login_page(
    sid: str, make: str, test_mode: bool, error: Optional[str] = None, email: str = ""
) -> str:
    label = (
        "your connected-car account" if make == ALL_MAKES else f"your {make_label(make)} account"
    )
    alert = f'<div class="error" id="login-error">{escape(error)}</div>' if error else ""
    body = (
        f"<h1>Sign in to {escape(label)}</h1>"
        '<p class="sub">Any email and password work here; the email picks the garage.</p>'
        f"{alert}"
        '<form id="login-form" method="post" action="/oauth/authorize/login">'
        f"{_hidden('sid', sid)}{_hidden('make', make)}"
        '<label for="email">Email</label>'
        f'<input id="email" name="email" type="email" required autocomplete="username" '
        f'value="{escape(email)}">'
        '<label for="password">Password</label>'
        '<input id="password" name="password" type="password" required '
        'autocomplete="current-password">'
        '<div class="actions"><button id="sign-in" class="primary" type="submit">Sign in'
        "</button></div></form>"
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
    choices = "".join(
        f'<div class="vehicle"><input type="{kind}" name="vehicle" id="vehicle-{index}" '
        f'value="{escape(vehicle_id)}"{" checked" if index == 0 or not single_select else ""}>'
        f'<label for="vehicle-{index}">{escape(label)}<small>VIN {escape(vin)}</small></label>'
        "</div>"
        for index, (vehicle_id, label, vin) in enumerate(vehicles)
    )
    alert = f'<div class="error" id="grant-error">{escape(error)}</div>' if error else ""
    body = (
        f"<h1>{escape(app_name)} would like to</h1>"
        f'<p class="sub">Review what this application may do with your vehicle.</p>{alert}'
        '<form id="grant-form" method="post" action="/oauth/authorize/grant">'
        f'{_hidden("sid", sid)}<ul class="scopes" id="scopes">{items}</ul>'
        f'<div id="vehicles">{choices}</div>'
        '<div class="actions">'
        '<button id="deny" class="secondary" type="submit" name="decision" value="deny">Deny'
        "</button>"
        '<button id="approve" class="primary" type="submit" name="decision" value="approve">'
        "Allow</button></div></form>"
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
