"""``scripts/install-test-deps.sh`` (run by ``make test`` and ``.ci/run``), on a PATH of stubs.

The stubs stand in for ``id``, ``sudo`` and ``apt-get``: each records how it was called, and
the fake ``apt-get install`` puts the packages' binaries on the PATH, as Debian's would.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import List, NamedTuple, Optional

import pytest

REPO = Path(__file__).resolve().parents[2]
SCRIPT = REPO / "scripts" / "install-test-deps.sh"
BASH = shutil.which("bash") or "/bin/bash"

APT_GET = """#!{bash}
echo "apt-get $*" >> "{log}"
[ "${{FAIL_APT:-}}" = 1 ] && exit 100
if [ "$1" = install ]; then
    for package in "$@"; do
        case "$package" in
            redis-server|chromium)
                printf '#!{bash}\\n' > "{bin}/$package"
                chmod +x "{bin}/$package" ;;
            postgresql)
                for tool in initdb pg_ctl; do
                    printf '#!{bash}\\n' > "{bin}/$tool"
                    chmod +x "{bin}/$tool"
                done ;;
        esac
    done
fi
exit 0
"""
SUDO = """#!{bash}
echo "sudo $*" >> "{log}"
exec "$@"
"""
ID = """#!{bash}
echo "{uid}"
"""


class Run(NamedTuple):
    returncode: int
    stderr: str
    calls: List[str]


class Machine:
    """A PATH holding only stubs and the few tools the script runs."""

    def __init__(self, root: Path) -> None:
        self.bin = root / "bin"
        self.bin.mkdir()
        self.log = root / "calls.log"
        self.log.touch()
        for tool in ("env", "chmod", "cat"):
            found = shutil.which(tool)
            assert found, tool
            os.symlink(found, self.bin / tool)
        self.uid(1000)
        self.stub("sudo", SUDO)
        self.stub("apt-get", APT_GET)

    def stub(self, name: str, template: str, **values: object) -> None:
        path = self.bin / name
        path.write_text(
            template.format(bash=BASH, log=self.log, bin=self.bin, **values), encoding="utf-8"
        )
        path.chmod(0o755)

    def uid(self, uid: int) -> None:
        self.stub("id", ID, uid=uid)

    def install(self, *names: str) -> None:
        for name in names:
            self.stub(name, "#!{bash}\n")

    def remove(self, name: str) -> None:
        (self.bin / name).unlink()

    def run(self, *args: str, fail_apt: bool = False, postgres: bool = True) -> Run:
        """Run the script; PostgreSQL counts as installed (``PG_BINDIR``) unless ``postgres``
        is false, and the machine's own /usr/lib/postgresql is never looked at."""
        env = {"PATH": str(self.bin), "HOME": str(self.bin.parent)}
        env["PG_LIB_ROOT"] = str(self.bin.parent / "no-postgresql-here")
        if postgres:
            bindir = self.bin.parent / "postgresql-bin"
            bindir.mkdir(exist_ok=True)
            for tool in ("initdb", "pg_ctl"):
                (bindir / tool).write_text(f"#!{BASH}\n", encoding="utf-8")
                (bindir / tool).chmod(0o755)
            env["PG_BINDIR"] = str(bindir)
        if fail_apt:
            env["FAIL_APT"] = "1"
        done = subprocess.run(
            [BASH, str(SCRIPT), *args], env=env, capture_output=True, text=True, timeout=30
        )
        calls = self.log.read_text(encoding="utf-8").splitlines()
        return Run(done.returncode, done.stderr, calls)


@pytest.fixture
def machine(tmp_path: Path) -> Machine:
    return Machine(tmp_path)


def installs(calls: List[str]) -> Optional[str]:
    found = [call for call in calls if call.startswith("apt-get install")]
    return found[-1] if found else None


def test_nothing_happens_when_both_are_installed(machine: Machine) -> None:
    machine.install("redis-server", "chromium")
    assert machine.run() == Run(0, "", [])


def test_a_user_gets_the_missing_packages_through_sudo(machine: Machine) -> None:
    run = machine.run()
    assert run.returncode == 0, run.stderr
    assert "sudo apt-get update -qq" in run.calls
    assert (
        "sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server chromium"
        in (run.calls)
    )
    assert (machine.bin / "redis-server").exists() and (machine.bin / "chromium").exists()


def test_root_installs_without_sudo_and_only_what_is_missing(machine: Machine) -> None:
    machine.uid(0)
    machine.install("chromium")
    run = machine.run()
    assert run.returncode == 0, run.stderr
    assert not any(call.startswith("sudo") for call in run.calls)
    assert installs(run.calls) == "apt-get install -y -qq redis-server"


def test_a_chromium_browser_binary_counts_as_chromium(machine: Machine) -> None:
    machine.install("redis-server", "chromium-browser")
    assert machine.run().calls == []


def test_without_sudo_it_fails_naming_the_command(machine: Machine) -> None:
    machine.remove("sudo")
    run = machine.run()
    assert run.returncode == 1
    assert "apt-get update && apt-get install -y redis-server chromium" in run.stderr
    assert run.calls == []


def test_a_failed_install_fails_naming_the_command(machine: Machine) -> None:
    machine.install("chromium")
    run = machine.run(fail_apt=True)
    assert run.returncode == 1
    assert "run: sudo apt-get update && sudo apt-get install -y redis-server" in run.stderr


def test_check_only_reports(machine: Machine) -> None:
    machine.install("redis-server")
    run = machine.run("--check")
    assert run.returncode == 1
    assert "missing OS packages for the tests: chromium" in run.stderr
    assert "run: sudo apt-get update && sudo apt-get install -y chromium" in run.stderr
    assert run.calls == []


def test_postgresql_is_installed_when_missing(machine: Machine) -> None:
    machine.install("redis-server", "chromium")
    run = machine.run(postgres=False)
    assert run.returncode == 0, run.stderr
    assert installs(run.calls) == "apt-get install -y -qq postgresql"
    assert (machine.bin / "initdb").exists() and (machine.bin / "pg_ctl").exists()
    assert machine.run(postgres=False).calls == run.calls  # found on the PATH now


def test_make_test_installs_them_first_and_forbids_skips() -> None:
    done = subprocess.run(
        ["make", "-n", "test"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    lines = done.stdout.splitlines()
    deps = lines.index("bash scripts/install-test-deps.sh")
    [pytest_line] = [n for n, line in enumerate(lines) if re.search(r"\bbin/pytest\b", line)]
    assert deps < pytest_line
    assert lines[pytest_line].startswith("CI=1 ")
