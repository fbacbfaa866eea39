"""The system checks of the ``SMARTCAR`` settings, and the settings they guard (``conf``),
with the project on SQLite and on PostgreSQL."""

from __future__ import annotations

from typing import Any, Dict, List

import pytest
from django.core.checks import Error
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.core.management.base import SystemCheckError

from smartcar.contrib.django import conf
from smartcar.contrib.django.checks import check_settings

from .conftest import SMARTCAR


def _errors(settings: Any, **changes: Any) -> List[Error]:
    values: Dict[str, Any] = {**SMARTCAR, **changes}
    settings.SMARTCAR = {key: value for key, value in values.items() if value is not None}
    return check_settings()


def test_complete_settings_pass(alias: str, settings: Any) -> None:
    assert _errors(settings, DATABASE=alias) == []
    config = conf.get_settings()
    assert config.database == alias
    assert config.client_id == SMARTCAR["CLIENT_ID"]
    assert SMARTCAR["CLIENT_SECRET"] not in repr(config)
    assert SMARTCAR["MANAGEMENT_TOKEN"] not in repr(config)


@pytest.mark.parametrize(
    "key", ["CLIENT_ID", "CLIENT_SECRET", "APPLICATION_ID", "REDIRECT_URI", "MANAGEMENT_TOKEN"]
)
def test_a_missing_credential_names_the_setting(alias: str, settings: Any, key: str) -> None:
    errors = _errors(settings, **{key: None})
    assert [error.id for error in errors] == ["smartcar.E001"]
    assert f"SMARTCAR['{key}']" in errors[0].msg
    assert f"SMARTCAR_{key}" in errors[0].msg
    assert errors[0].is_serious()
    with pytest.raises(ImproperlyConfigured, match=rf"SMARTCAR\['{key}'\]"):
        conf.get_settings()


def test_an_api_credential_id_as_the_application_id(alias: str, settings: Any) -> None:
    errors = _errors(settings, APPLICATION_ID="client_1234")
    assert [error.id for error in errors] == ["smartcar.E003"]
    assert "SMARTCAR['APPLICATION_ID']" in errors[0].msg
    assert "Application ID" in errors[0].msg


def test_manage_py_check_fails_on_it(alias: str, settings: Any) -> None:
    _errors(settings, CLIENT_SECRET=None)
    with pytest.raises(SystemCheckError, match=r"smartcar.E001.*SMARTCAR\['CLIENT_SECRET'\]"):
        call_command("check", "--tag", "smartcar")


def test_environment_variables_are_the_fallback(
    alias: str, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SMARTCAR_CLIENT_ID", "client_from_env")
    monkeypatch.setenv("SMARTCAR_APPLICATION_ID", "from-env-app")
    assert _errors(settings, CLIENT_ID=None, APPLICATION_ID="") == []
    assert conf.get_settings().client_id == "client_from_env"
    assert conf.get_settings().application_id == "from-env-app"
    _errors(settings, CLIENT_ID="client_from_settings")  # settings win
    assert conf.get_settings().client_id == "client_from_settings"
    monkeypatch.setenv("SMARTCAR_APPLICATION_ID", "client_wrong")
    assert [error.id for error in _errors(settings, APPLICATION_ID=None)] == ["smartcar.E003"]


@pytest.mark.parametrize(
    ("changes", "number", "words"),
    [
        ({"CLIENT_ID": 42}, 2, "must be a non-empty string"),
        ({"MODE": "sandbox"}, 4, "MODE"),
        ({"SCOPE": [1, 2]}, 5, "SCOPE"),
        ({"SEEN_TTL": -1}, 6, "SEEN_TTL"),
        ({"SEEN_TTL": float("nan")}, 6, "SEEN_TTL"),
        ({"WEBHOOK_HANDLER": "no.such.function"}, 7, "WEBHOOK_HANDLER"),
        ({"DATABASE": "elsewhere"}, 8, "DATABASE"),
        ({"CLIENT_SECERT": "typo"}, 9, "CLIENT_SECERT"),
    ],
)
def test_other_mistakes(
    alias: str, settings: Any, changes: Dict[str, Any], number: int, words: str
) -> None:
    errors = _errors(settings, **changes)
    assert [error.id for error in errors] == [f"smartcar.E{number:03d}"]
    assert words in errors[0].msg


def test_scope_mode_and_handler_are_read(alias: str, settings: Any) -> None:
    _errors(
        settings,
        SCOPE="read_odometer read_location",
        MODE="simulated",
        WEBHOOK_HANDLER="json.dumps",
        SEEN_TTL=60,
        CONNECT_SUCCESS_URL="/cars/",
    )
    import json

    config = conf.get_settings()
    assert config.scope == ("read_odometer", "read_location")
    assert config.mode == "simulated"
    assert config.webhook_handler is json.dumps
    assert config.seen_ttl == 60.0
    assert config.connect_success_url == "/cars/"


def test_client_and_receiver_are_built_once_per_settings(alias: str, settings: Any) -> None:
    client = conf.get_client()
    assert conf.get_client() is client
    assert client.application_id == SMARTCAR["APPLICATION_ID"]
    receiver = conf.get_receiver()
    assert receiver.seen.using == alias  # type: ignore[attr-defined]
    _errors(settings, DATABASE=alias, CLIENT_ID="client_other")
    assert conf.get_client() is not client
    assert conf.get_client().client_id == "client_other"
    assert SMARTCAR["MANAGEMENT_TOKEN"] not in repr(conf.get_receiver())
