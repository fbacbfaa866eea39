"""The distribution a pip user gets: built as a wheel from a copy of the repository's files.

Checked: our own distribution name (the official SDK is ``smartcar``), a version no official
release has, the import name ``smartcar``, LICENSE, project URLs, the pytest entry point, and a
long description without links to files that only a clone has.
"""

from __future__ import annotations

import email
import email.message
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Iterator, NamedTuple

import pytest

import smartcar

REPO = Path(__file__).resolve().parents[2]
PROJECT_URL = "https://github.com/smartcar-next/smartcar-python"
# Every release of the official `smartcar` distribution (pip index versions smartcar, 2026-12).
# fmt: off
OFFICIAL_VERSIONS = frozenset([
    "0.0.0", "1.0.0", "1.0.1", "1.0.2", "1.0.3", "1.0.4", "1.0.5", "1.0.6", "1.0.7", "1.0.8",
    "1.0.9", "1.0.10", "1.0.11", "1.0.12", "1.0.13", "1.1.0", "1.2.0", "1.2.1", "2.0.0", "2.0.1",
    "3.0.0", "3.0.1", "3.0.3", "3.0.4", "4.0.0", "4.1.0", "4.1.1", "4.1.3", "4.1.4", "4.1.5",
    "4.2.0", "4.2.1", "4.2.2", "4.2.3", "4.2.4", "4.3.0", "4.3.1", "4.3.2", "4.3.3", "4.3.5",
    "5.0.0", "5.1.0", "5.1.1", "5.2.0", "5.2.1", "6.0.0", "6.0.1", "6.0.2", "6.0.3", "6.1.0",
    "6.2.0", "6.3.0", "6.4.0", "6.5.0", "6.5.1", "6.9.0", "6.10.0", "6.10.1", "6.11.0", "6.12.0",
    "6.13.0", "6.13.1", "6.14.0", "6.15.0", "6.16.0", "6.17.0", "6.18.3", "6.19.0", "6.19.1",
])
# fmt: on
SOURCES = ["setup.py", "pyproject.toml", "README.md", "LICENSE", "pytest_smartcar.py"]
# Markdown link targets and HTML src/href values.
LINK = re.compile(r"\]\(([^)\s]+)|\b(?:src|href)=\"([^\"]+)\"")


class Wheel(NamedTuple):
    metadata: email.message.Message
    names: frozenset[str]
    archive: Path

    def read(self, name: str) -> str:
        with zipfile.ZipFile(self.archive) as wheel:
            return wheel.read(name).decode("utf-8")


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Wheel]:
    source = tmp_path_factory.mktemp("source")
    for name in SOURCES:
        shutil.copy2(REPO / name, source / name)
    shutil.copytree(
        REPO / "smartcar", source / "smartcar", ignore=shutil.ignore_patterns("__pycache__")
    )
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [
            *(sys.executable, "-m", "pip", "wheel", "-q", "--no-deps"),
            *("--no-build-isolation", "--no-index", "-w", str(out), str(source)),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    [archive] = out.glob("*.whl")
    with zipfile.ZipFile(archive) as zipped:
        names = frozenset(zipped.namelist())
        [metadata_name] = [name for name in names if name.endswith(".dist-info/METADATA")]
        metadata = email.message_from_bytes(zipped.read(metadata_name))
    yield Wheel(metadata, names, archive)


def dist_info(wheel: Wheel, name: str) -> str:
    [path] = [path for path in wheel.names if path.endswith(f".dist-info/{name}")]
    return wheel.read(path)


def test_the_distribution_has_a_name_of_its_own_and_installs_smartcar(wheel: Wheel) -> None:
    assert wheel.metadata["Name"] == "smartcar-sdk-next"
    assert "smartcar/__init__.py" in wheel.names
    assert "smartcar/py.typed" in wheel.names
    assert dist_info(wheel, "top_level.txt").split() == ["pytest_smartcar", "smartcar"]


def test_the_version_is_ours_and_no_official_release_has_it(wheel: Wheel) -> None:
    assert wheel.metadata["Version"] == smartcar.__version__
    assert smartcar.__version__ not in OFFICIAL_VERSIONS


def test_license_and_project_urls(wheel: Wheel) -> None:
    assert wheel.metadata["License"] == "MIT"
    assert wheel.metadata["License-File"] == "LICENSE"
    license_text = dist_info(wheel, "LICENSE")
    assert license_text.startswith("MIT License")
    assert "Copyright (c) 2026 the smartcar SDK authors" in license_text
    assert wheel.metadata["Author"] == "the smartcar SDK authors"
    assert wheel.metadata["Home-page"] == PROJECT_URL
    urls = dict(value.split(", ", 1) for value in wheel.metadata.get_all("Project-URL") or [])
    assert urls["Source"] == PROJECT_URL
    assert all(url.startswith(PROJECT_URL) for url in urls.values()), urls


def test_the_pytest_plugin_is_a_top_level_module(wheel: Wheel) -> None:
    assert "pytest_smartcar.py" in wheel.names
    entry_points = dist_info(wheel, "entry_points.txt")
    assert re.search(r"^\[pytest11\]\nsmartcar_emulator = pytest_smartcar$", entry_points, re.M)


def test_the_long_description_links_only_to_urls(wheel: Wheel) -> None:
    description = wheel.metadata.get_payload()
    assert isinstance(description, str)
    assert description.startswith("# smartcar")
    links = [a or b for a, b in LINK.findall(description)]
    assert links, "the README has links"
    relative = [link for link in links if not re.match(r"https?://", link)]
    assert relative == []
    readme_links = [a or b for a, b in LINK.findall((REPO / "README.md").read_text("utf-8"))]
    for link in readme_links:  # each repository link became one into the project
        if not re.match(r"https?://", link):
            assert any(
                absolute.startswith(PROJECT_URL) and absolute.endswith(link.lstrip("/"))
                for absolute in links
            ), link
