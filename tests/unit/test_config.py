"""``smartcar._config``: the configuration object and the process-wide default."""

from __future__ import annotations

from typing import Callable

import pytest

from smartcar import _config, api
from smartcar._config import Config, RetryPolicy, check_timeout
from smartcar.testing import defaults


def test_config_follows_the_default_for_what_it_does_not_override(
    smartcar_defaults: Callable[..., None],
) -> None:
    config = Config(timeout=3)
    smartcar_defaults(retry=RetryPolicy(max_retries=7), max_body_size=1234)
    assert config.timeout == 3.0
    assert config.retry.max_retries == 7
    assert config.max_body_size == 1234
    assert Config(max_retries=0).retry.max_retries == 0


def test_defaults_override_is_checked_and_undone() -> None:
    before = _config.default()
    saved = (before.retry, before.timeout, before.max_body_size, before.api_version)
    with defaults(retry=RetryPolicy(max_retries=9), timeout=2, api_version="2"):
        assert (before.retry.max_retries, before.timeout, before.api_version) == (9, 2.0, "2.0")
    assert (before.retry, before.timeout, before.max_body_size, before.api_version) == saved
    with pytest.raises(TypeError, match="retry"):
        _config.override(retry=5)
    with pytest.raises(TypeError, match="colour"):
        _config.override(colour="red")
    with pytest.raises(ValueError, match="timeout"):
        _config.override(timeout=-1)


def test_set_defaults_validates_and_applies(smartcar_defaults: Callable[..., None]) -> None:
    smartcar_defaults()  # puts every default back after the test
    api.set_defaults(max_retries=5, timeout=(1, 2), max_body_size=10)
    config = _config.default()
    assert (config.retry.max_retries, config.timeout, config.max_body_size) == (5, (1.0, 2.0), 10)
    with pytest.raises(ValueError, match="max_retries"):
        api.set_defaults(max_retries=-1)
    with pytest.raises(ValueError, match="timeout"):
        api.set_defaults(timeout=0)


@pytest.mark.parametrize(
    ("given", "canonical"), [("1.0", "1.0"), ("2.0", "2.0"), ("2", "2.0"), ("v2.0", "2.0")]
)
def test_api_version_forms(given: str, canonical: str) -> None:
    assert _config.check_api_version(given) == canonical


@pytest.mark.parametrize("bad", ["3.0", "", "latest", "1.1"])
def test_unsupported_api_version(bad: str) -> None:
    with pytest.raises(ValueError, match="version"):
        Config(api_version=bad)


def test_api_version_must_be_a_string() -> None:
    with pytest.raises(TypeError, match="version"):
        Config(api_version=2.0)  # type: ignore[arg-type]


def test_replace_keeps_and_overrides() -> None:
    base = Config(api_version="1.0", timeout=4)
    copy = base.replace(max_retries=1)
    assert (copy.api_version, copy.timeout, copy.retry.max_retries) == ("1.0", 4.0, 1)
    assert base.replace(api_version="2.0").api_version == "2.0"


def test_repr_shows_the_settings() -> None:
    assert "Config(api_version=" in repr(Config())


@pytest.mark.parametrize(
    "bad",
    [10**400, (1, 10**400), (-(10**400), 1), 0, -1, float("nan"), (), (1, 2, 3), "5", True],
    ids=repr,
)
def test_a_timeout_beyond_the_float_range_is_a_value_error(bad: object) -> None:
    with pytest.raises(ValueError, match="timeout must be a positive number"):
        check_timeout(bad)


def test_timeouts_come_back_as_floats() -> None:
    assert check_timeout(5) == 5.0
    assert check_timeout((1, 2.5)) == (1.0, 2.5)
    assert check_timeout((3,)) == 3.0


def test_the_backoff_of_a_very_late_retry_is_the_cap() -> None:
    policy = RetryPolicy(max_retries=10**6, backoff_base=0.5, backoff_max=8.0)
    assert policy.backoff_ceiling(5000) == 8.0
    assert policy.backoff_ceiling(1) == 0.5
