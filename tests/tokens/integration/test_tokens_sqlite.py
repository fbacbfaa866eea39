"""SQLiteStore and the operating system: file modes, file descriptors, fork."""

from __future__ import annotations

import gc
import multiprocessing
import os
import stat
import threading
import time
from pathlib import Path
from typing import Any, Iterator, List

import pytest

from smartcar.tokens import SQLiteStore


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def no_umask() -> Iterator[None]:
    """umask 0, so the modes seen are the ones the store asked for."""
    previous = os.umask(0)
    try:
        yield
    finally:
        os.umask(previous)


def test_a_new_database_and_its_wal_files_are_private(tmp_path: Path, no_umask: None) -> None:
    path = tmp_path / "tokens.db"
    store = SQLiteStore(path)
    store.save("k", '{"refresh_token": "secret"}')
    assert store.load("k") is not None
    files = [path, Path(f"{path}-wal"), Path(f"{path}-shm")]
    assert {file.name: _mode(file) for file in files} == {file.name: 0o600 for file in files}
    store.close()


def test_an_existing_database_keeps_its_mode(tmp_path: Path, no_umask: None) -> None:
    path = tmp_path / "shared.db"
    path.touch(mode=0o640)
    SQLiteStore(path).save("k", "v")
    assert _mode(path) == 0o640


def _open_descriptors() -> int:
    return len(os.listdir("/proc/self/fd"))


def test_short_lived_threads_leave_no_descriptors_behind(tmp_path: Path) -> None:
    """Each request of a threaded server (Flask's) runs in a new thread."""
    store = SQLiteStore(tmp_path / "tokens.db")
    store.save("k", "v")
    gc.collect()
    before = _open_descriptors()
    errors: List[BaseException] = []

    def request(number: int) -> None:
        try:
            store.save(f"user-{number}", "record")
            assert store.load(f"user-{number}") == "record"
        except BaseException as error:
            errors.append(error)

    for batch in range(30):  # 300 threads, 10 at a time
        threads = [threading.Thread(target=request, args=(batch * 10 + n,)) for n in range(10)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    gc.collect()
    assert errors == []
    assert _open_descriptors() - before <= 2 * 8  # at most the idle pool (2 files each)
    store.close()
    assert _open_descriptors() <= before


def test_a_fork_while_another_thread_is_inside_sqlite_does_not_hang_the_child(
    tmp_path: Path,
) -> None:
    store = SQLiteStore(tmp_path / "tokens.db")
    store.save("k", "v" * 500)
    stop = threading.Event()

    def busy() -> None:
        while not stop.is_set():
            store.save("k", "v" * 500)
            store.load("k")

    worker = threading.Thread(target=busy)
    worker.start()
    try:
        for attempt in range(60):
            pid = os.fork()
            if pid == 0:  # the child: its own connection, the parent's data
                ok = False
                try:
                    ok = store.load("k") == "v" * 500
                    store.save(f"child-{attempt}", "done")
                finally:
                    os._exit(0 if ok else 1)
            deadline = time.monotonic() + 5
            while True:
                done, status = os.waitpid(pid, os.WNOHANG)
                if done:
                    break
                if time.monotonic() > deadline:
                    os.kill(pid, 9)
                    os.waitpid(pid, 0)
                    pytest.fail(f"fork {attempt}: the child hung in SQLite")
                time.sleep(0.002)
            assert os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0
            assert store.load(f"child-{attempt}") == "done"  # its write reached the file
    finally:
        stop.set()
        worker.join()
    store.close()


def _open_and_count(path: str, start: Any, out: Any) -> None:
    start.wait(30)
    try:
        SQLiteStore(path).add_call("vehicle", "2026-12")
        out.put("ok")
    except Exception as error:  # reported to the parent, which shows it
        out.put(repr(error))


def test_processes_opening_a_new_file_at_once_all_get_the_store(tmp_path: Path) -> None:
    # Switching a new file to WAL is answered "database is locked" without waiting when other
    # processes open it at the same moment: each of them must still get its store.
    # Forked children (a forkserver's start too slowly to meet on the new file).
    context = multiprocessing.get_context("fork")
    failures: List[str] = []
    for round_ in range(20):
        path = str(tmp_path / f"new-{round_}.db")
        start, out = context.Event(), context.Queue()
        children = [
            context.Process(target=_open_and_count, args=(path, start, out)) for _ in range(6)
        ]
        for child in children:
            child.start()
        start.set()
        failures += [answer for answer in (out.get(timeout=60) for _ in children) if answer != "ok"]
        for child in children:
            child.join(30)
        assert SQLiteStore(path).calls("vehicle", "2026-12") == 6
    assert failures == []
