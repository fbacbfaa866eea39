"""The README and docs/ link and cite only files that a clone of this repository has."""

from __future__ import annotations

import re
from pathlib import Path
from typing import List

import pytest

REPO = Path(__file__).resolve().parents[2]


DOCUMENTS = [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]
MARKDOWN_LINK = re.compile(r"\]\(([^)\s]+)\)")
# A path in backticks that climbs out of its folder, e.g. `../shared/spec/wire-protocol.md`.
CLIMBING_PATH = re.compile(r"`(\.\./[^`\s]+)`")


def relative_links(document: Path) -> List[str]:
    links = MARKDOWN_LINK.findall(document.read_text(encoding="utf-8"))
    return [link for link in links if not re.match(r"[a-zA-Z][a-zA-Z0-9+.-]*:|#", link)]


@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda path: path.name)
def test_relative_links_stay_in_the_repository_and_exist(document: Path) -> None:
    for link in relative_links(document):
        target = (document.parent / link.split("#")[0]).resolve()
        assert target.is_relative_to(REPO), f"{document.name} links outside the repo: {link}"
        assert target.exists(), f"{document.name} links to a missing file: {link}"


@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda path: path.name)
def test_cited_paths_stay_in_the_repository(document: Path) -> None:
    text = document.read_text(encoding="utf-8")
    for cited in CLIMBING_PATH.findall(text):
        target = (document.parent / cited).resolve()
        assert target.is_relative_to(REPO), f"{document.name} cites a path outside: {cited}"
        assert target.exists(), f"{document.name} cites a missing path: {cited}"


CITED_TEST = re.compile(r"`((?:tests|benchmarks|examples|scripts)/[\w./-]+\.(?:py|sh|md))`")
CITING = [*DOCUMENTS, *sorted(REPO.glob("examples/*/README.md"))]


@pytest.mark.parametrize("document", CITING, ids=lambda path: str(path.relative_to(REPO)))
def test_cited_repository_files_exist(document: Path) -> None:
    """A test, benchmark or script the prose names in backticks is where it says."""
    for cited in CITED_TEST.findall(document.read_text(encoding="utf-8")):
        assert (REPO / cited).exists(), f"{document.name} cites a missing file: {cited}"


def test_a_moved_test_would_be_noticed() -> None:
    assert CITED_TEST.findall("see `tests/unit/test_gone.py`") == ["tests/unit/test_gone.py"]
