"""Settings of the Django example.

SQLite (``EXAMPLE_DB``, default ``smartcar_django_example.sqlite3``) unless ``DATABASE_URL``
is set (``postgresql://user:password@host:port/name``). Smartcar's credentials come from the
``SMARTCAR_*`` environment variables (``run.py`` sets them for its emulator).
"""

from __future__ import annotations

import os
import secrets
from typing import Any, Dict
from urllib.parse import unquote, urlsplit

from examples.flask_app.app import DEFAULT_SCOPE


def database_from_url(url: str) -> Dict[str, Any]:
    """Django's database settings for a ``postgresql://`` (or ``postgres://``) URL.

    Raises:
        ValueError: another scheme, or no database name.
    """
    parts = urlsplit(url)
    if parts.scheme not in ("postgres", "postgresql"):
        raise ValueError("DATABASE_URL must be a postgresql:// URL")
    name = unquote(parts.path.lstrip("/"))
    if not name:
        raise ValueError("DATABASE_URL names no database")
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": name,
        "USER": unquote(parts.username or ""),
        "PASSWORD": unquote(parts.password or ""),
        "HOST": parts.hostname or "",
        "PORT": str(parts.port or ""),
    }


SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY") or secrets.token_hex(32)
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost", *os.environ.get("ALLOWED_HOSTS", "").split()]
INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "smartcar.contrib.django",
    "examples.django_app",
]
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
]
ROOT_URLCONF = "examples.django_app.urls"
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "APP_DIRS": True,
        "OPTIONS": {"context_processors": ["django.template.context_processors.request"]},
    }
]
DATABASES = {
    "default": database_from_url(os.environ["DATABASE_URL"])
    if os.environ.get("DATABASE_URL")
    else {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": os.environ.get("EXAMPLE_DB") or "smartcar_django_example.sqlite3",
    }
}
USE_TZ = True
LOGIN_URL = "/"
SMARTCAR = {
    "SCOPE": list(DEFAULT_SCOPE),  # the Flask example's
    "CONNECT_SUCCESS_URL": "/vehicles/",
}
LOGGING = {
    "version": 1,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "loggers": {"smartcar.contrib.django": {"handlers": ["console"], "level": "WARNING"}},
}
