"""The code samples of the README and the documentation site, and how each one is run.

A fenced block is a sample. The HTML comment right above it (blank lines between allowed)
may name its context::

    <!-- sample: v3 -->
    ```python
    print(vehicle.odometer())
    ```

Python samples without a context run as written, alone, in a fresh interpreter. A context
names a prelude in ``tests/docs/contexts/<context>.py`` that runs first, in the same module
(so mypy checks the two together): it starts the emulator and defines the names the page
says the sample may use. ``pytest`` and ``browser`` samples are test modules, run by pytest
(``browser``: with Chromium through Playwright). Shell samples (``sh``) are checked, not run:
every ``make`` target exists and every ``smartcar`` command line parses. ``console``,
``json`` and ``text`` blocks are output or data, shown as the program prints it; the
``standalone-emulator`` console sample is run by ``tests/docs/test_readme_samples.py``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List, Optional

REPO = Path(__file__).resolve().parents[2]
DOCS = REPO / "docs"
CONTEXTS = Path(__file__).resolve().parent / "contexts"

# Pages whose samples another test runs, and that test (which must exist).
EXEMPT: Dict[str, str] = {
    "docs/django.md": "tests/contrib/django/test_docs_django.py",
}

# Contexts that are not a prelude module: how the sample is run.
TEST_CONTEXTS = ("pytest", "browser")
# Languages of blocks that show output or data: nothing to run.
SHOWN = ("console", "json", "text")

_FENCE = re.compile(r"^(?P<indent>\s*)(?P<ticks>```+)(?P<language>[\w+-]*)\s*$")
_CONTEXT = re.compile(r"^\s*<!--\s*sample:\s*(?P<context>[\w-]+)\s*-->\s*$")


@dataclass(frozen=True)
class Sample:
    document: str  # relative to the repository, e.g. "docs/reads.md"
    line: int  # of the opening fence, 1-based
    language: str
    context: Optional[str]
    code: str

    @property
    def ident(self) -> str:
        return f"{self.document}:{self.line}"

    @property
    def module_name(self) -> str:
        stem = re.sub(r"\W", "_", Path(self.document).stem)
        return f"sample_{stem}_{self.line}"


def documents() -> List[Path]:
    """The README and every page of the site."""
    return [REPO / "README.md", *sorted(DOCS.glob("*.md"))]


def samples_of(path: Path) -> List[Sample]:
    document = path.relative_to(REPO).as_posix()
    found: List[Sample] = []
    context: Optional[str] = None
    lines = path.read_text(encoding="utf-8").splitlines()
    index = 0
    while index < len(lines):
        line = lines[index]
        fence = _FENCE.match(line)
        marker = _CONTEXT.match(line)
        if marker:
            context = marker.group("context")
        elif fence:
            indent, ticks = fence.group("indent"), fence.group("ticks")
            body: List[str] = []
            index += 1
            while index < len(lines) and lines[index].strip() != ticks:
                body.append(
                    lines[index][len(indent) :] if lines[index].startswith(indent) else lines[index]
                )
                index += 1
            start = index - len(body)
            found.append(
                Sample(document, start, fence.group("language"), context, "\n".join(body) + "\n")
            )
            context = None
        elif line.strip():
            context = None
        index += 1
    return found


def all_samples() -> List[Sample]:
    return [
        sample
        for path in documents()
        if path.relative_to(REPO).as_posix() not in EXEMPT
        for sample in samples_of(path)
    ]


def prelude(context: str) -> str:
    path = CONTEXTS / f"{context}.py"
    assert path.is_file(), f"unknown sample context {context!r} (no {path.relative_to(REPO)})"
    return path.read_text(encoding="utf-8")


def program(sample: Sample) -> str:
    """The module that runs ``sample``: its context's prelude, then the sample."""
    if sample.context is None or sample.context in TEST_CONTEXTS:
        return sample.code
    return prelude(sample.context) + f"\n# ---- {sample.ident}\n" + sample.code
