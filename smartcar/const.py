"""Service origins and protocol constants.

The three origins are read from the environment once, at import. The SDK reads the
module attributes at call time, so assigning ``smartcar.const.API_URL = ...`` re-points it.
"""

from __future__ import annotations

import os

API_VERSION = "1.0"

CONNECT_URL: str = os.environ.get("SMARTCAR_CONNECT_ORIGIN", "https://connect.smartcar.com").rstrip(
    "/"
)
AUTH_URL: str = (
    os.environ.get("SMARTCAR_AUTH_ORIGIN", "https://auth.smartcar.com").rstrip("/") + "/oauth/token"
)
API_URL: str = (
    os.environ.get("SMARTCAR_API_ORIGIN", "https://api.smartcar.com").rstrip("/")
    + "/v"
    + API_VERSION
)

UNIT_SYSTEM_HEADER = "sc-unit-system"
DATA_AGE_HEADER = "sc-data-age"
REQUEST_ID_HEADER = "sc-request-id"
UNIT_SYSTEMS = ("metric", "imperial")
