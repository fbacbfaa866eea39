"""Packaging for the smartcar SDK."""
import re
from pathlib import Path

from setuptools import find_packages, setup

HERE = Path(__file__).parent


def _version() -> str:
    text = (HERE / "smartcar" / "__init__.py").read_text(encoding="utf-8")
    match = re.search(r'^__version__\s*=\s*"([^"]+)"', text, re.MULTILINE)
    if not match:
        raise RuntimeError("Unable to find __version__ in smartcar/__init__.py")
    return match.group(1)


setup(
    name="smartcar",
    version=_version(),
    description="Python backend SDK for the Smartcar API, with a local Smartcar emulator",
    long_description=(HERE / "README.md").read_text(encoding="utf-8"),
    long_description_content_type="text/markdown",
    license="MIT",
    packages=find_packages(include=["smartcar", "smartcar.*"]),
    package_data={"smartcar": ["py.typed"]},
    python_requires=">=3.9",
    install_requires=["requests>=2.26,<3", "python-dateutil>=2.8,<5"],
    extras_require={
        "emulator": ["werkzeug>=2.3"],
        "redis": ["redis>=4.5"],
    },
    entry_points={"pytest11": ["smartcar_emulator = smartcar.emulator.pytest_plugin"]},
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
