"""Fixtures of the integration tests: the shared ones (tests/support/integration_fixtures.py)."""

from integration_fixtures import api, api_v1, emulator_seed, http, tokens  # noqa: F401
