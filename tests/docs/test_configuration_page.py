"""docs/configuration.md names every ``SMARTCAR_*`` environment variable the SDK reads (the
list comes from the source, so a new variable without a row fails here)."""

from __future__ import annotations

import re
from typing import Set

from docs_samples import DOCS, REPO

PAGE = (DOCS / "configuration.md").read_text(encoding="utf-8")
# Strings that look like variables but are error codes the service sends.
NOT_VARIABLES = {"SMARTCAR_API", "SMARTCAR_NOT_CAPABLE"}


def variables_in_the_sdk() -> Set[str]:
    found: Set[str] = set()
    for path in (REPO / "smartcar").rglob("*.py"):
        parts = path.relative_to(REPO).parts
        if "emulator" in parts or "contrib" in parts:
            # The emulator prints the variables and reads none; an integration
            # (smartcar.contrib.*) documents its own settings on its own page.
            continue
        found |= set(re.findall(r"\bSMARTCAR_[A-Z0-9_]*[A-Z0-9]\b", path.read_text("utf-8")))
    return found - NOT_VARIABLES


def test_every_variable_the_sdk_reads_is_on_the_configuration_page() -> None:
    variables = variables_in_the_sdk()
    assert {"SMARTCAR_CLIENT_ID", "SMARTCAR_MANAGEMENT_TOKEN", "SMARTCAR_LOG"} <= variables
    missing = sorted(name for name in variables if f"`{name}`" not in PAGE)
    assert not missing, f"docs/configuration.md does not name {missing}"


def test_the_page_names_no_variable_the_sdk_does_not_read() -> None:
    named = set(re.findall(r"`(SMARTCAR_[A-Z0-9_]+)`", PAGE))
    assert named <= variables_in_the_sdk() | {"SMARTCAR_"}, named - variables_in_the_sdk()
