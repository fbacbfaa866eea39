"""The documentation site builds strictly (a warning or a broken link fails), every page is in
its navigation, and ``make test`` builds it."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from docs_samples import DOCS, REPO

MAKEFILE = (REPO / "Makefile").read_text(encoding="utf-8")
MKDOCS = (REPO / "mkdocs.yml").read_text(encoding="utf-8")


def test_make_test_builds_the_site_strictly() -> None:
    test_target = re.search(r"^test:(.*)$", MAKEFILE, re.MULTILINE)
    assert test_target and "docs" in test_target.group(1).split()
    docs_recipe = MAKEFILE.split("\ndocs:", 1)[1].split("\n\n", 1)[0]
    assert "mkdocs build --strict" in docs_recipe
    assert "mkdocs serve" in MAKEFILE.split("\ndocs-serve:", 1)[1].split("\n\n", 1)[0]


def test_every_page_is_in_the_navigation() -> None:
    listed = set(re.findall(r":\s+([\w.-]+\.md)\s*$", MKDOCS, re.MULTILINE))
    pages = {path.name for path in DOCS.glob("*.md")}
    assert pages <= listed, f"pages missing from mkdocs.yml's nav: {sorted(pages - listed)}"
    assert "migrating-from-6x.md" in listed  # smartcar/_six_x.py's messages name this page


def test_the_site_builds_strictly(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(tmp_path)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
    )
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "migrating-from-6x" / "index.html").is_file()
    reference = (tmp_path / "api" / "index.html").read_text(encoding="utf-8")
    assert "get_auth_url" in reference  # mkdocstrings rendered the docstrings

    # The README is not a page of the site: its links to a heading of a page are checked here.
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    anchors = re.findall(r"\]\(docs/([\w.-]+)\.md#([\w-]+)\)", readme)
    assert anchors
    for page, anchor in anchors:
        html = (tmp_path / page / "index.html").read_text(encoding="utf-8")
        assert f'id="{anchor}"' in html, f"README links to docs/{page}.md#{anchor}: no such heading"
