"""Child processes that ask for the v3 application token through a shared store.

:func:`run_workers` starts ``processes`` children from a ``forkserver`` that imported the SDK
once (``spawn`` where there is none); each points the SDK at the emulator through its
``SMARTCAR_*_ORIGIN`` variables, opens the store again, builds its own
``smartcar.v3.Client`` and, once every child is ready, asks for ``access_token()`` from
``threads`` threads at the same instant. It returns every token (or error) they got.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
import traceback
from dataclasses import dataclass
from typing import Any, Dict, List

_PRELOAD = ["smartcar", "smartcar.v3", "smartcar.tokens", "requests", "redis"]


@dataclass(frozen=True)
class StoreSpec:
    """``kind`` ``"sqlite"`` (``target``: a file path) or ``"redis"`` (``target``: a URL)."""

    kind: str
    target: str

    def open(self) -> Any:
        from smartcar.tokens import RedisStore, SQLiteStore

        return SQLiteStore(self.target) if self.kind == "sqlite" else RedisStore(self.target)


@dataclass(frozen=True)
class Job:
    environment: Dict[str, str]
    client_id: str
    client_secret: str
    store: StoreSpec
    threads: int


def _context() -> Any:
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("spawn")
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(_PRELOAD)
    return context


def _worker(job: Job, ready: Any, start: Any, results: Any) -> None:
    answers: List[str] = []
    try:
        os.environ.update(job.environment)
        import smartcar.v3

        client = smartcar.v3.Client(job.client_id, job.client_secret, token_store=job.store.open())
        guard = threading.Lock()

        def ask() -> None:
            start.wait(60)
            try:
                answer = "token:" + client.access_token()
            except Exception as error:
                answer = f"error:{type(error).__name__}: {error}"
            with guard:
                answers.append(answer)

        threads = [threading.Thread(target=ask) for _ in range(job.threads)]
        for thread in threads:
            thread.start()
        ready.put(os.getpid())
        for thread in threads:
            thread.join()
    except Exception:
        ready.put(os.getpid())
        answers.append("error:" + traceback.format_exc(limit=3))
    results.put(answers)


def run_workers(job: Job, processes: int, timeout: float = 60.0) -> List[str]:
    """Run ``processes`` children of ``job`` at once; return every answer (``token:...`` or
    ``error:...``)."""
    context = _context()
    ready, results, start = context.Queue(), context.Queue(), context.Event()
    children = [
        context.Process(target=_worker, args=(job, ready, start, results), daemon=True)
        for _ in range(processes)
    ]
    for child in children:
        child.start()
    try:
        for _ in children:
            ready.get(timeout=timeout)
        start.set()
        answers: List[str] = []
        for _ in children:
            answers.extend(results.get(timeout=timeout))
        return answers
    finally:
        for child in children:
            child.join(10)
            if child.is_alive():
                child.kill()
