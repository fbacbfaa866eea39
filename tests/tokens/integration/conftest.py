"""Fixtures of the token stores' integration tests: the shared loopback ones, API v1.0 pinned
(tests/support/integration_fixtures.py)."""

from integration_fixtures import api, api_v1, emulator_seed, http, tokens  # noqa: F401
