"""Helpers shared by the Flask example tests (imported by conftest and the test modules)."""

from __future__ import annotations

import sqlite3
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, Dict, List, NamedTuple
from urllib.parse import parse_qs, urlsplit

REPO = Path(__file__).resolve().parents[2]
if str(REPO) not in sys.path:  # `examples` is not an installed package
    sys.path.insert(0, str(REPO))

if TYPE_CHECKING:
    from flask import Flask

TEST_CLIENT_CALLBACK = "http://localhost/callback"


class LiveApp(NamedTuple):
    """The example app served over loopback HTTP."""

    base: str
    app: Flask
    token_db: Path


def app_config(
    client_id: str, client_secret: str, token_db: Path, redirect_uri: str
) -> Dict[str, Any]:
    """Settings of the example app for a test (the app's own error pages stay on)."""
    return {
        "SMARTCAR_CLIENT_ID": client_id,
        "SMARTCAR_CLIENT_SECRET": client_secret,
        "SMARTCAR_REDIRECT_URI": redirect_uri,
        "SECRET_KEY": "test-only-session-key",
        "TOKEN_DB": str(token_db),
    }


def stored_keys(token_db: Path) -> List[str]:
    """The keys that have a token record in the app's SQLite database."""
    if not token_db.exists():
        return []
    with sqlite3.connect(str(token_db)) as db:
        tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master")}
        if "smartcar_tokens" not in tables:
            return []
        return sorted(row[0] for row in db.execute("SELECT key FROM smartcar_tokens"))


def query(url: str) -> Dict[str, str]:
    """The query parameters of ``url`` (first value of each)."""
    return {name: values[0] for name, values in parse_qs(urlsplit(url).query).items()}
