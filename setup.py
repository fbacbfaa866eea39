"""Packaging for the smartcar SDK."""
import re
from pathlib import Path

from setuptools import find_packages, setup

HERE = Path(__file__).parent
PROJECT_URL = "https://github.com/smartcar-next/smartcar-python"
# A link target inside the repository: neither a URL (scheme:) nor protocol-relative (//).
_RELATIVE_LINK = re.compile(r"(\]\(|\b(?:src|href)=\")(?![a-zA-Z][a-zA-Z0-9+.-]*:|//)([^)\"\s]+)")


def _version() -> str:
    text = (HERE / "smartcar" / "__init__.py").read_text(encoding="utf-8")
    match = re.search(r'^__version__\s*=\s*"([^"]+)"', text, re.MULTILINE)
    if not match:
        raise RuntimeError("Unable to find __version__ in smartcar/__init__.py")
    return match.group(1)


def _long_description() -> str:
    """The README with every link into the repository made absolute: a pip user has no clone
    (and no README headings to jump to), so files and anchors point at the project page."""
    text = (HERE / "README.md").read_text(encoding="utf-8")
    return _RELATIVE_LINK.sub(_absolute_link, text)


def _absolute_link(match: "re.Match[str]") -> str:
    target = match.group(2)
    if target.startswith("#"):
        return f"{match.group(1)}{PROJECT_URL}{target}"
    kind = "raw" if target.lower().endswith((".png", ".jpg", ".jpeg", ".gif", ".svg")) else "blob"
    return f"{match.group(1)}{PROJECT_URL}/{kind}/main/{target.lstrip('/')}"


setup(
    # Our own distribution name: the official SDK is published as "smartcar". Both install
    # the import package `smartcar`, so this one replaces the official one.
    name="smartcar-sdk-next",
    version=_version(),
    description=(
        "Python backend SDK for the Smartcar API (import smartcar; drop-in for the official "
        "4.3 SDK), with a local Smartcar emulator"
    ),
    long_description=_long_description(),
    long_description_content_type="text/markdown",
    author="the smartcar SDK authors",
    url=PROJECT_URL,
    project_urls={
        "Source": PROJECT_URL,
        "Documentation": f"{PROJECT_URL}#readme",
        "Issues": f"{PROJECT_URL}/issues",
    },
    license="MIT",
    license_files=["LICENSE"],
    packages=find_packages(include=["smartcar", "smartcar.*"]),
    # The pytest plugin is a top-level module so that loading it does not import the SDK.
    py_modules=["pytest_smartcar"],
    package_data={"smartcar": ["py.typed"]},
    python_requires=">=3.9",
    install_requires=["requests>=2.26,<3", "python-dateutil>=2.8,<5"],
    extras_require={
        "emulator": ["werkzeug>=2.3"],
        "redis": ["redis>=4.5"],
        "django": ["django>=4.2"],
        "async": ["aiohttp>=3.9"],
        "speedups": ["msgspec>=0.18"],
    },
    entry_points={
        "pytest11": ["smartcar_emulator = pytest_smartcar"],
        "console_scripts": ["smartcar = smartcar._cli:main"],
    },
    classifiers=[
        "Programming Language :: Python :: 3",
        "Programming Language :: Python :: 3.9",
        "Programming Language :: Python :: 3.10",
        "Programming Language :: Python :: 3.11",
        "Programming Language :: Python :: 3.12",
        "Programming Language :: Python :: 3.13",
        "Typing :: Typed",
    ],
)
