"""Keeping secrets out of what the emulator logs: query values named like a secret."""

from __future__ import annotations

from typing import Dict, Mapping
from urllib.parse import parse_qsl, quote

SECRET_WORDS = ("token", "secret", "password", "code", "key")
REDACTED = "[redacted]"


def is_secret_name(name: str) -> bool:
    """Whether a query or form field called ``name`` may carry a secret."""
    lowered = name.lower()
    return any(word in lowered for word in SECRET_WORDS)


def redact_query(args: Mapping[str, str]) -> Dict[str, str]:
    """``args`` with the value of every secret-named field replaced by ``[redacted]``."""
    return {key: (REDACTED if is_secret_name(key) else value) for key, value in args.items()}


def redact_target(target: str) -> str:
    """A request target (path and query, as in a request line) safe to print.

    Every secret-named query field keeps its name but loses its value; a query that cannot
    be parsed is dropped whole.
    """
    path, mark, query = target.partition("?")
    if not mark:
        return target
    try:
        pairs = parse_qsl(query, keep_blank_values=True, strict_parsing=False)
    except ValueError:
        return f"{path}?{REDACTED}"
    if not pairs and query:
        return f"{path}?{REDACTED}"
    shown = "&".join(
        f"{quote(key, safe='')}={REDACTED if is_secret_name(key) else quote(value, safe='')}"
        for key, value in pairs
    )
    return f"{path}?{shown}"


def redact_request_line(line: str) -> str:
    """``GET /path?access_token=... HTTP/1.1`` with secret query values redacted."""
    words = line.split(" ")
    if len(words) == 3:
        method, target, version = words
        return f"{method} {redact_target(target)} {version}"
    return redact_target(line) if "?" in line else line
