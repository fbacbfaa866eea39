"""Every code sample of the README and the site runs against the emulator and passes
``mypy --strict`` (see ``docs_samples`` for how a sample names what it needs)."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path
from typing import Dict, List, Tuple

import pytest
from docs_samples import (
    EXEMPT,
    REPO,
    SHOWN,
    TEST_CONTEXTS,
    Sample,
    all_samples,
    program,
)

from smartcar._cli import build_parser

SAMPLES = all_samples()
PYTHON = [sample for sample in SAMPLES if sample.language == "python"]
SHELL = [sample for sample in SAMPLES if sample.language == "sh"]
MAKEFILE = (REPO / "Makefile").read_text(encoding="utf-8")
BIN = Path(sys.executable).parent


def clean_environment() -> Dict[str, str]:
    """This process's environment without any ``SMARTCAR_*`` setting: a sample must not
    depend on one the reader does not have."""
    env = {name: value for name, value in os.environ.items() if not name.startswith("SMARTCAR_")}
    env["PYTHONPATH"] = str(REPO)
    return env


def test_every_block_is_a_sample_kind_the_runner_knows() -> None:
    for sample in SAMPLES:
        assert sample.language in ("python", "sh", *SHOWN), (
            f"{sample.ident}: a ```{sample.language} block: label it python, sh, {', '.join(SHOWN)}"
        )
        if sample.language != "python":
            assert sample.context in (None, "standalone-emulator"), sample.ident


def test_the_runner_finds_the_samples_of_every_page() -> None:
    documents = {sample.document for sample in PYTHON}
    assert "README.md" in documents
    assert {"docs/quickstart.md", "docs/reads.md", "docs/testing.md"} <= documents


@pytest.mark.parametrize("exempt", sorted(EXEMPT.items()), ids=lambda item: item[0])
def test_an_exempt_page_is_run_by_its_own_test(exempt: Tuple[str, str]) -> None:
    page, test = exempt
    if (REPO / page).is_file():
        assert (REPO / test).is_file(), f"{page}'s samples are run by {test}, which is missing"
    else:  # the page arrives with its test (from the branch that writes both)
        assert not (REPO / test).is_file(), f"{test} runs the samples of {page}, which is missing"


@pytest.mark.parametrize("sample", PYTHON, ids=lambda sample: sample.ident)
def test_the_python_sample_runs(sample: Sample, tmp_path: Path) -> None:
    path = tmp_path / f"{sample.module_name}.py"
    path.write_text(program(sample), encoding="utf-8")
    if sample.context in TEST_CONTEXTS:
        if sample.context == "browser" and not browser_available():
            fail_or_skip("the browser sample needs /usr/bin/chromium (apt-get install chromium)")
        command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(path)]
    else:
        command = [sys.executable, str(path)]
    done = subprocess.run(
        command,
        cwd=tmp_path,
        env=clean_environment(),
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert done.returncode == 0, f"{sample.ident} failed:\n{done.stdout}\n{done.stderr}"


def test_the_python_samples_pass_mypy_strict(tmp_path: Path) -> None:
    files: Dict[str, Sample] = {}
    for sample in PYTHON:
        path = tmp_path / f"{sample.module_name}.py"
        path.write_text(program(sample), encoding="utf-8")
        files[path.name] = sample
    done = subprocess.run(
        [
            str(BIN / "mypy"),
            "--strict",
            "--no-error-summary",
            "--cache-dir",
            str(REPO / ".mypy_cache"),
            *sorted(str(tmp_path / name) for name in files),
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=600,
    )
    errors: List[str] = []
    for line in done.stdout.splitlines():
        name = Path(line.split(":", 1)[0]).name
        sample = files.get(name)
        errors.append(f"{sample.ident if sample else name}: {line}")
    assert done.returncode == 0 and not errors, "\n".join(errors) + done.stderr


def shell_commands(sample: Sample) -> List[List[str]]:
    commands = []
    for line in sample.code.splitlines():
        command = re.split(r"\s[<>|]\s", line)[0]  # the command, not its redirections
        words = shlex.split(command, comments=True)
        if words:
            commands.append(words)
    return commands


@pytest.mark.parametrize("sample", SHELL, ids=lambda sample: sample.ident)
def test_the_shell_sample_names_real_targets_and_commands(sample: Sample) -> None:
    commands = shell_commands(sample)
    assert commands, f"{sample.ident}: an empty shell sample"
    for words in commands:
        program_name, *arguments = words
        if program_name == "make":
            for target in arguments:
                name = target.split("=")[0]
                if "=" not in target:
                    assert f"\n{name}:" in MAKEFILE, f"{sample.ident}: no make target {name}"
        elif program_name == "smartcar" and arguments[:1] == ["emulator"]:
            shown = emulator_help()
            for option in (word for word in arguments if word.startswith("--")):
                assert option in shown, f"{sample.ident}: the emulator has no {option}"
        elif program_name == "smartcar":
            try:
                build_parser().parse_args(arguments)
            except SystemExit as exit:
                assert exit.code == 0, f"{sample.ident}: `{shlex.join(words)}` does not parse"
        elif program_name in ("python", "python3", ".venv/bin/python"):
            script = next((word for word in arguments if word.endswith(".py")), None)
            if script is not None:
                assert (REPO / script).is_file(), f"{sample.ident}: no {script}"
            if arguments[:1] == ["-m"]:
                module = arguments[1].replace(".", "/")
                assert (REPO / f"{module}.py").is_file() or (REPO / module).is_dir(), (
                    f"{sample.ident}: no module {arguments[1]}"
                )
        else:
            assert program_name in ("pip", "git", "cd", "export", "celery"), (
                f"{sample.ident}: the runner does not know how to check `{program_name}`"
            )


def emulator_help() -> str:
    done = subprocess.run(
        [sys.executable, "-m", "smartcar.emulator", "--help"],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=REPO,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def browser_available() -> bool:
    return os.access("/usr/bin/chromium", os.X_OK)


def fail_or_skip(reason: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(reason)
    pytest.skip(reason)
