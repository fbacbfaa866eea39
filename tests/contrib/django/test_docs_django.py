"""Every ```python sample of docs/django.md, run for real in the tests' Django project.

Each sample starts with a comment naming where it goes (``# settings.py``, ``# urls.py``,
...); :data:`RUNNERS` says which test runs the samples of each place, and
``test_every_sample_is_run`` fails when the page gains a sample no test runs.
"""

from __future__ import annotations

import json
import re
import sys
import types
from pathlib import Path
from typing import Any, Dict, Iterator, List

import pytest
from django.contrib.auth.models import User
from django.test import RequestFactory
from django.urls import resolve

from smartcar.contrib.django import views
from smartcar.contrib.django.checks import check_settings
from smartcar.contrib.django.models import Connection
from smartcar.contrib.django.seen import DjangoSeenSet
from smartcar.contrib.django.signals import webhook_received
from smartcar.contrib.django.store import DjangoTokenStore

PAGE = Path(__file__).resolve().parents[3] / "docs" / "django.md"
SAMPLES = re.findall(r"```python\n(.*?)```", PAGE.read_text(encoding="utf-8"), re.S)


def samples(place: str) -> List[str]:
    return [code for code in SAMPLES if code.splitlines()[0] == f"# {place}"]


RUNNERS = {
    "settings.py": "test_the_settings_samples",
    "urls.py": "test_the_urls_sample",
    "signals.py": "test_a_signed_delivery_reaches_the_receiver",
    "tests.py": "test_a_signed_delivery_reaches_the_receiver",
    "views.py": "test_the_view_sample_lists_the_users_vehicles",
    "anywhere": "test_the_stores_on_their_own",
}


def test_every_sample_is_run() -> None:
    assert len(SAMPLES) == 7
    places = [code.splitlines()[0].removeprefix("# ") for code in SAMPLES]
    assert set(places) == set(RUNNERS)
    assert all(name in globals() for name in RUNNERS.values())


def module(name: str, code: str) -> types.ModuleType:
    """Run ``code`` as the module ``name`` (registered, so other samples import it)."""
    parent, _, _ = name.rpartition(".")
    if parent and parent not in sys.modules:
        package = types.ModuleType(parent)
        package.__path__ = []
        sys.modules[parent] = package
    loaded = types.ModuleType(name)
    sys.modules[name] = loaded
    exec(compile(code, f"docs/django.md ({name})", "exec"), loaded.__dict__)
    return loaded


@pytest.fixture
def project(alias: str, settings: Any) -> Iterator[Dict[str, Any]]:
    """The page's settings and URLs applied to the tests' project."""
    first = samples("settings.py")[0]
    namespace: Dict[str, Any] = {}
    exec(compile(first, "docs/django.md (settings.py)", "exec"), namespace)
    settings.SMARTCAR = {**namespace["SMARTCAR"], "DATABASE": alias}
    module("mysite.urls", samples("urls.py")[0])
    settings.ROOT_URLCONF = "mysite.urls"
    yield namespace
    for name in ("mysite.urls", "mysite", "myapp.signals", "myapp"):
        sys.modules.pop(name, None)


def test_the_settings_samples(project: Dict[str, Any], settings: Any) -> None:
    assert "smartcar.contrib.django" in project["INSTALLED_APPS"]
    assert set(project["INSTALLED_APPS"]) <= set(settings.INSTALLED_APPS)
    assert check_settings() == []
    separate = samples("settings.py")[1]
    namespace: Dict[str, Any] = {
        "DATABASES": {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": "x"}},
        "SMARTCAR": dict(project["SMARTCAR"]),
    }
    exec(compile(separate, "docs/django.md (settings.py)", "exec"), namespace)
    assert namespace["DATABASES"]["smartcar"]["ATOMIC_REQUESTS"] is False
    assert namespace["DATABASES"]["smartcar"]["NAME"] == "x"
    assert namespace["SMARTCAR"]["DATABASE"] == "smartcar"


def test_the_urls_sample(project: Dict[str, Any]) -> None:
    assert resolve("/smartcar/webhooks/").func is views.webhook
    assert resolve("/smartcar/connect/").func is views.connect
    assert resolve("/smartcar/callback/").url_name == "callback"


def test_a_signed_delivery_reaches_the_receiver(project: Dict[str, Any]) -> None:
    signals = module("myapp.signals", samples("signals.py")[0])
    try:
        module("myapp.tests", samples("tests.py")[0])  # its asserts are the checks
        assert signals.RECEIVED == [("36ab27d0-vehicle", "closure-islocked", True)]
    finally:
        webhook_received.disconnect(signals.on_smartcar_event)
        sys.modules.pop("myapp.tests", None)


def test_the_view_sample_lists_the_users_vehicles(
    project: Dict[str, Any], emu: Any, settings: Any
) -> None:
    settings.SMARTCAR = {
        **settings.SMARTCAR,
        "CLIENT_ID": emu.client_id,
        "CLIENT_SECRET": emu.client_secret,
    }
    user = User.objects.create_user("ada")
    smartcar_user = emu.v3.connect()
    Connection.objects.create(user=user, smartcar_user_id=smartcar_user)
    page_views = module("myapp.views", samples("views.py")[0])
    request = RequestFactory().get("/vehicles/")
    request.user = user
    answer = json.loads(page_views.my_vehicles(request).content)
    expected = {c.vehicle_id for c in emu.v3.connections() if c.user_id == smartcar_user}
    assert {vehicle["id"] for vehicle in answer["vehicles"]} == expected
    assert all(vehicle["info"]["make"] for vehicle in answer["vehicles"])
    sys.modules.pop("myapp.views", None)


def test_the_stores_on_their_own(project: Dict[str, Any]) -> None:
    namespace: Dict[str, Any] = {}
    exec(compile(samples("anywhere")[0], "docs/django.md (anywhere)", "exec"), namespace)
    receiver = namespace["receiver"]
    assert isinstance(receiver.seen, DjangoSeenSet)
    assert namespace["client"].client_id == "client_0f3b9d2c7a"
    body = json.dumps({"eventId": "e", "eventType": "VERIFY", "data": {"challenge": "c"}})
    status, answer, _ = receiver.handle({}, body.encode())
    assert status == 200 and "challenge" in answer
    assert repr(namespace["client"]._tokens._store) == repr(DjangoTokenStore("default"))
