"""A Django project for the tests of ``smartcar.contrib.django``, on SQLite and on a real
PostgreSQL server started for the session (``postgres_server``).

Settings are configured when this directory is collected. Two databases: ``default``
(SQLite, a file, so other processes share it) and ``postgres``. A test takes the ``alias``
fixture to run once on each; for its duration a router sends every query to that alias.
Without PostgreSQL binaries the ``postgres`` runs are skipped, except under CI (``CI`` set),
where they fail.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any, Dict, Iterator, Optional

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tokens" / "integration"))

from .postgres_server import PostgresServer, find_bindir

MANAGEMENT_TOKEN = "amt-django-tests-token"
SMARTCAR: Dict[str, Any] = {
    "CLIENT_ID": "client_django_tests",
    "CLIENT_SECRET": "secret-django-tests",
    "APPLICATION_ID": "5f3c6a1e-django-tests",
    "REDIRECT_URI": "http://testserver/smartcar/callback/",
    "MANAGEMENT_TOKEN": MANAGEMENT_TOKEN,
}
ALIASES = {"sqlite": "default", "postgres": "postgres"}
_STATE: Dict[str, Any] = {"server": None, "problem": None, "tmp": None}


class Route:
    """The database router of the tests: every model on the test's alias."""

    alias = "default"

    def db_for_read(self, model: Any, **hints: Any) -> str:
        return Route.alias

    def db_for_write(self, model: Any, **hints: Any) -> str:
        return Route.alias

    def allow_relation(self, *args: Any, **hints: Any) -> bool:
        return True

    def allow_migrate(self, *args: Any, **hints: Any) -> bool:
        return True


def _postgres_settings() -> Optional[Dict[str, Any]]:
    bindir = find_bindir()
    if bindir is None:
        _STATE["problem"] = (
            "PostgreSQL is not installed (apt-get install postgresql); the Django tests on "
            "PostgreSQL cannot run"
        )
        return None
    server = PostgresServer(bindir)
    try:
        server.start()
    except Exception as error:
        server.cleanup()
        _STATE["problem"] = f"PostgreSQL did not start: {error}"
        return None
    _STATE["server"] = server
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": "smartcar",
        "USER": server.user,
        "HOST": "127.0.0.1",
        "PORT": str(server.port),
        "TEST": {"NAME": "test_smartcar"},
    }


def pytest_configure(config: pytest.Config) -> None:
    import django
    from django.conf import settings

    if settings.configured:
        return
    tmp = tempfile.mkdtemp(prefix="smartcar-django-tests-")
    _STATE["tmp"] = tmp
    databases: Dict[str, Any] = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": os.path.join(tmp, "project.sqlite3"),
            "OPTIONS": {"timeout": 30},
            "TEST": {"NAME": os.path.join(tmp, "test.sqlite3")},
        }
    }
    postgres = _postgres_settings()
    if postgres is not None:
        databases["postgres"] = postgres
    settings.configure(
        SECRET_KEY="django-tests-only",
        ALLOWED_HOSTS=["testserver", "127.0.0.1", "localhost"],
        INSTALLED_APPS=[
            "django.contrib.auth",
            "django.contrib.contenttypes",
            "django.contrib.sessions",
            "smartcar.contrib.django",
        ],
        MIDDLEWARE=[
            "django.contrib.sessions.middleware.SessionMiddleware",
            "django.middleware.csrf.CsrfViewMiddleware",
            "django.contrib.auth.middleware.AuthenticationMiddleware",
        ],
        ROOT_URLCONF="contrib.django.project_urls",
        DATABASES=databases,
        DATABASE_ROUTERS=[f"{__name__}.Route"],
        USE_TZ=True,
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
        LOGIN_URL="/login/",
        SMARTCAR=dict(SMARTCAR),
    )
    django.setup()


def pytest_unconfigure(config: pytest.Config) -> None:
    server: Optional[PostgresServer] = _STATE["server"]
    if server is not None:
        server.cleanup()
    if _STATE["tmp"]:
        shutil.rmtree(_STATE["tmp"], ignore_errors=True)


def require_postgres() -> None:
    """Skip (fail under CI) when the session has no PostgreSQL server."""
    message = _STATE["problem"] or "PostgreSQL is not configured"
    if os.environ.get("CI"):
        pytest.fail(message + " and CI is set, so this is an error", pytrace=False)
    pytest.skip(message)


@pytest.fixture(scope="session")
def django_db_setup(django_test_environment: Any, django_db_blocker: Any) -> Iterator[None]:
    """The test databases of every alias (SQLite file and PostgreSQL), for the session."""
    from django.conf import settings
    from django.test.utils import setup_databases, teardown_databases

    with django_db_blocker.unblock():
        created = setup_databases(verbosity=0, interactive=False, aliases=set(settings.DATABASES))
    yield
    with django_db_blocker.unblock():
        teardown_databases(created, verbosity=0)


@pytest.fixture(autouse=True)
def _no_smartcar_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    from smartcar.contrib.django.conf import ENVIRONMENT

    for variable in ENVIRONMENT.values():
        monkeypatch.delenv(variable, raising=False)


@pytest.fixture(params=list(ALIASES))
def alias(request: pytest.FixtureRequest, settings: Any) -> Iterator[str]:
    """The database alias of this run (``default``: SQLite, ``postgres``), with the test's
    database access on it, every query routed to it, and ``SMARTCAR['DATABASE']`` set."""
    from django.conf import settings as django_settings

    name = ALIASES[request.param]
    if name not in django_settings.DATABASES:
        require_postgres()
    request.node.add_marker(pytest.mark.django_db(transaction=True, databases=[name]))
    request.getfixturevalue("transactional_db")
    settings.SMARTCAR = {**SMARTCAR, "DATABASE": name}
    Route.alias = name
    try:
        yield name
    finally:
        Route.alias = "default"


def database_settings(alias: str) -> Dict[str, Any]:
    """The test database of ``alias`` as a child process configures it."""
    from django.db import connections

    return {key: value for key, value in connections[alias].settings_dict.items()}
