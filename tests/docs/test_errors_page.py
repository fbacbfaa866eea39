"""docs/errors.md has a section for every exception the SDK raises (its classes are listed
from the code, so a new exception without a section fails here)."""

from __future__ import annotations

import re
from typing import List, Type

from docs_samples import DOCS

import smartcar.exceptions
import smartcar.tokens
import smartcar.webhooks

PAGE = (DOCS / "errors.md").read_text(encoding="utf-8")
SECTIONS = set(re.findall(r"^### `(?:[\w.]+\.)?(\w+)`", PAGE, re.MULTILINE))


def every_subclass(root: Type[BaseException]) -> List[Type[BaseException]]:
    found: List[Type[BaseException]] = [root]
    for sub in root.__subclasses__():
        found += every_subclass(sub)
    return found


def test_every_exception_of_smartcar_exceptions_has_a_section() -> None:
    exported = [getattr(smartcar.exceptions, name) for name in smartcar.exceptions.__all__]
    classes = [item for item in exported if isinstance(item, type)]
    assert len(classes) > 15
    missing = sorted(cls.__name__ for cls in classes if cls.__name__ not in SECTIONS)
    assert not missing, f"docs/errors.md has no section for {missing}"


def test_every_public_subclass_anywhere_in_the_sdk_has_a_section() -> None:
    assert smartcar.tokens.TokenNotFound and smartcar.webhooks.SeenSetError  # loaded
    public = [
        cls
        for cls in every_subclass(smartcar.exceptions.SmartcarException)
        if cls.__module__.startswith("smartcar")
        and not cls.__module__.startswith("smartcar.emulator")
        and not cls.__name__.startswith("_")
    ]
    missing = sorted(cls.__name__ for cls in public if cls.__name__ not in SECTIONS)
    assert not missing, f"docs/errors.md has no section for {missing}"


def test_each_section_says_when_and_what_to_do() -> None:
    for section in re.split(r"^### ", PAGE, flags=re.MULTILINE)[1:]:
        name = section.splitlines()[0]
        section = section.split("\n## ")[0]
        assert "**When**" in section and "**What to do**" in section, name
