"""Shared fixtures for the integration tests: a real emulator over loopback HTTP."""

from __future__ import annotations

from typing import Any, Callable, Dict, Iterator

import pytest
import requests
from emu_support import Api

from smartcar.emulator import Emulator


@pytest.fixture(autouse=True)
def api_v1(smartcar_defaults: Callable[..., None]) -> None:
    """These tests were written against API v1.0 (its error codes, its paths in the request
    log): they pin it. Tests of v2.0 choose it themselves (``smartcar.set_api_version`` or
    ``version=``)."""
    smartcar_defaults(api_version="1.0")


@pytest.fixture(scope="module")
def emulator_seed() -> int:
    """The seed of these tests' ``emulator`` (``emulator``/``emu``: tests/conftest.py)."""
    return 7


@pytest.fixture
def http() -> Iterator[requests.Session]:
    with requests.Session() as session:
        yield session


@pytest.fixture
def tokens(emu: Emulator) -> Dict[str, Any]:
    """A token response with every permission for the default user."""
    return emu.issue_tokens()


@pytest.fixture
def api(emu: Emulator, http: requests.Session, tokens: Dict[str, Any]) -> Api:
    return Api(emu, http, tokens["access_token"])
