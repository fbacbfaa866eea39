"""Child processes of the Django concurrency tests: each configures Django on the parent's
test databases, waits for one start signal, then does one thing at the same instant.

* :func:`app_token`: a v3 client whose app token is in the Django store asks for it;
* :func:`delivery`: a webhook Receiver on the Django seen-set handles one delivery.

Children come from :func:`token_harness.process_context` (a forkserver, or spawn).
"""

from __future__ import annotations

import os
import traceback
from typing import Any, Dict, List, Mapping, Tuple

from token_harness import process_context

__all__ = ["run_together"]


def _configure(databases: Mapping[str, Any], urls: Mapping[str, str]) -> None:
    import django
    from django.conf import settings

    if not settings.configured:
        settings.configure(
            INSTALLED_APPS=[
                "django.contrib.auth",
                "django.contrib.contenttypes",
                "smartcar.contrib.django",
            ],
            DATABASES=dict(databases),
            USE_TZ=True,
        )
        django.setup()
    from smartcar import const

    for name, value in urls.items():
        setattr(const, name, value)


def app_token(job: Mapping[str, Any]) -> Any:
    """Return a function that fetches the app token through the Django store."""
    import smartcar.v3
    from smartcar.contrib.django.store import DjangoTokenStore

    client = smartcar.v3.Client(
        job["client_id"], job["client_secret"], token_store=DjangoTokenStore(job["alias"])
    )
    return client.access_token


def delivery(job: Mapping[str, Any]) -> Any:
    """Return a function that hands the job's delivery to a Receiver on the Django seen-set."""
    from smartcar.contrib.django.seen import DjangoSeenSet
    from smartcar.webhooks import Receiver

    receiver = Receiver(job["management_token"], seen=DjangoSeenSet(job["alias"]))

    def handle() -> Any:
        status, body, event = receiver.handle(job["headers"], job["body"])
        return [status, body, None if event is None else event.event_id]

    return handle


_TASKS = {"app_token": app_token, "delivery": delivery}


def _child(task: str, job: Dict[str, Any], ready: Any, start: Any, results: Any) -> None:
    try:
        _configure(job["databases"], job["urls"])
        call = _TASKS[task](job)
    except Exception:
        ready.put(os.getpid())
        results.put((os.getpid(), None, traceback.format_exc(limit=5)))
        return
    ready.put(os.getpid())
    start.wait(60)
    try:
        results.put((os.getpid(), call(), None))
    except Exception as error:
        results.put((os.getpid(), None, f"{type(error).__name__}: {error}"))
    finally:
        from django.db import connections

        connections.close_all()


def run_together(
    task: str, job: Dict[str, Any], processes: int, timeout: float = 90.0
) -> List[Tuple[int, Any, Any]]:
    """Run ``task`` in ``processes`` children released at the same instant; return each
    child's ``(pid, result, error)``."""
    context = process_context()
    ready, results, start = context.Queue(), context.Queue(), context.Event()
    children = [
        context.Process(target=_child, args=(task, job, ready, start, results), daemon=True)
        for _ in range(processes)
    ]
    for child in children:
        child.start()
    try:
        for _ in children:
            ready.get(timeout=timeout)
        start.set()
        return [results.get(timeout=timeout) for _ in children]
    finally:
        for child in children:
            child.join(10)
            if child.is_alive():
                child.kill()
