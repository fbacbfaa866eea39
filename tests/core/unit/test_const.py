"""``smartcar.const``: every origin is resolved when it is read (contract C2)."""

from __future__ import annotations

from typing import Callable

import pytest
import responses

import smartcar
from smartcar import _config, const
from smartcar._config import Config

DEFAULTS = {
    "CONNECT_URL": "https://connect.smartcar.com",
    "AUTH_URL": "https://auth.smartcar.com/oauth/token",
    "API_URL": "https://api.smartcar.com/v1.0",
    "IAM_URL": "https://iam.smartcar.com/oauth2/token",
    "VEHICLE_API_V3_URL": "https://vehicle.api.smartcar.com/v3",
    "MANAGEMENT_API_V3_URL": "https://management.api.smartcar.com/v3",
    "MANAGEMENT_API_URL": "https://management.smartcar.com/v2.0/management",
}


@pytest.fixture(autouse=True)
def _clean(monkeypatch: pytest.MonkeyPatch) -> None:
    """No explicit assignment and no origin variable: each test starts from the defaults."""
    for name, origin in const.ORIGINS.items():
        monkeypatch.delattr(const, name, raising=False)
        monkeypatch.delenv(origin.env_var, raising=False)


@pytest.mark.parametrize("name", sorted(DEFAULTS))
def test_default_origin(name: str) -> None:
    assert getattr(const, name) == DEFAULTS[name]


@pytest.mark.parametrize("name", sorted(DEFAULTS))
def test_environment_is_read_at_access_time(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    origin = const.ORIGINS[name]
    monkeypatch.setenv(origin.env_var, "http://127.0.0.1:8123/")
    expected = DEFAULTS[name].replace(origin.default, "http://127.0.0.1:8123")
    assert getattr(const, name) == expected


@pytest.mark.parametrize("name", sorted(DEFAULTS))
def test_explicit_assignment_wins_over_environment(
    name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(const.ORIGINS[name].env_var, "http://127.0.0.1:1")
    setattr(const, name, "http://assigned.test")
    try:
        assert getattr(const, name) == "http://assigned.test"
    finally:
        delattr(const, name)
    assert getattr(const, name) == "http://127.0.0.1:1" + const.ORIGINS[name].path.replace(
        "{version}", const.API_VERSION
    )


def test_assigning_back_a_read_value_does_not_freeze_it(monkeypatch: pytest.MonkeyPatch) -> None:
    saved = const.API_URL
    const.API_URL = saved  # what save/restore code and monkeypatch's undo do
    monkeypatch.setenv("SMARTCAR_API_ORIGIN", "http://127.0.0.1:9")
    assert const.API_URL == "http://127.0.0.1:9/v1.0"


def test_monkeypatch_undo_restores_resolution(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.MonkeyPatch.context() as inner:
        inner.setattr(const, "AUTH_URL", "http://patched.test/oauth/token")
        assert const.AUTH_URL == "http://patched.test/oauth/token"
    monkeypatch.setenv("SMARTCAR_AUTH_ORIGIN", "http://127.0.0.1:7")
    assert const.AUTH_URL == "http://127.0.0.1:7/oauth/token"


@pytest.mark.parametrize(
    "value",
    ["http://127.0.0.1:7", "http://127.0.0.1:7/", "http://127.0.0.1:7/oauth/token",
     "http://127.0.0.1:7/oauth/token/"],
)  # fmt: skip
def test_auth_origin_or_the_full_token_url(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    """The official 6.x SDK reads SMARTCAR_AUTH_ORIGIN as the token URL; either form works."""
    monkeypatch.delattr(const, "AUTH_URL", raising=False)
    monkeypatch.setenv("SMARTCAR_AUTH_ORIGIN", value)
    assert const.AUTH_URL == "http://127.0.0.1:7/oauth/token"
    monkeypatch.setenv("SMARTCAR_IAM_ORIGIN", "http://127.0.0.1:8/oauth2/token")
    assert const.IAM_URL == "http://127.0.0.1:8/oauth2/token"


def test_default_api_version(
    monkeypatch: pytest.MonkeyPatch, smartcar_defaults: Callable[..., None]
) -> None:
    smartcar_defaults(api_version=None)
    monkeypatch.delenv("SMARTCAR_API_VERSION", raising=False)
    default = _config.DEFAULT_API_VERSION
    assert smartcar.get_api_version() == default == const.API_VERSION
    assert "https://api.smartcar.com/v" + default == const.API_URL


def test_api_version_is_read_only() -> None:
    assert const.API_VERSION == "1.0"
    with pytest.raises(AttributeError, match="set_api_version"):
        const.API_VERSION = "2.0"


def test_sdk_reads_the_environment_at_request_time(monkeypatch: pytest.MonkeyPatch) -> None:
    """The user's conftest sets the variable after ``import smartcar``: it still applies."""
    monkeypatch.setenv("SMARTCAR_API_ORIGIN", "http://127.0.0.1:8999")
    with responses.RequestsMock() as mocked:
        mocked.get("http://127.0.0.1:8999/v1.0/user", json={"id": "user-1"})
        assert smartcar.get_user_id("token-abcdef") == "user-1"


def test_assigned_url_must_be_a_string() -> None:
    with pytest.raises(TypeError, match="AUTH_URL"):
        const.AUTH_URL = None  # type: ignore[assignment]


def test_unknown_attribute_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError):
        const.NOT_A_CONSTANT  # noqa: B018


@pytest.mark.parametrize("name", ["REQUEST_ID_HEADER", "UNIT_SYSTEMS", "API_VERSION", "NOPE"])
def test_a_name_that_is_no_url_constant_has_no_current_url(name: str) -> None:
    with pytest.raises(KeyError):
        const.current(name)
    with pytest.raises(KeyError):
        Config().url(name)


def test_current_is_the_assigned_url_else_the_resolved_one(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SMARTCAR_VEHICLE_API_V3_ORIGIN", "http://127.0.0.1:9")
    assert const.current("VEHICLE_API_V3_URL") == "http://127.0.0.1:9/v3"
    monkeypatch.setattr(const, "VEHICLE_API_V3_URL", "http://assigned.test/v3")
    assert const.current("VEHICLE_API_V3_URL") == "http://assigned.test/v3"
    assert Config().url("VEHICLE_API_V3_URL") == "http://assigned.test/v3"
