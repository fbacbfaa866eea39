"""The Celery app and its one task: sweep one shard of the fleet and store the results in Redis."""

from __future__ import annotations

import json
import threading
from typing import Any, Dict, List, Optional

from celery import Celery

from smartcar.tokens import RedisStore
from smartcar.v3 import Client

from .settings import Settings

SETTINGS = Settings.from_env()

app = Celery("smartcar_fleet", broker=SETTINGS.redis_url, backend=SETTINGS.redis_url)
app.conf.update(
    task_acks_late=True,  # a worker that dies mid-shard leaves the task to another one
    worker_prefetch_multiplier=1,
    task_serializer="json",
    result_serializer="json",
    accept_content=["json"],
    broker_connection_retry_on_startup=True,
)

_client: Optional[Client] = None
_client_lock = threading.Lock()


def client() -> Client:
    """This worker process's client; every process shares one application token via Redis."""
    global _client
    with _client_lock:
        if _client is None:
            store = RedisStore(SETTINGS.redis_url, prefix=SETTINGS.prefix + "tokens:")
            _client = Client(SETTINGS.client_id, SETTINGS.client_secret, token_store=store)
        return _client


@app.task(name="fleet.sweep_shard")
def sweep_shard(
    index: int, count: int, codes: Optional[List[str]] = None, concurrency: int = 8
) -> Dict[str, Any]:
    """Read shard ``index`` of ``count``; store one JSON summary per vehicle; return counts."""
    redis = app.backend.client
    read = failed = 0
    for result in client().sweep(codes, concurrency=concurrency, shard=(index, count)):
        summary = {
            "user_id": result.user_id,
            "ok": result.ok,
            "signals": sorted(result.signals or ()),
            "error": None if result.error is None else type(result.error).__name__,
        }
        pipe = redis.pipeline()
        pipe.hset(SETTINGS.results_key, result.vehicle_id, json.dumps(summary))
        pipe.hincrby(SETTINGS.reads_key, result.vehicle_id, 1)
        pipe.execute()
        read += 1
        failed += not result.ok
    return {"shard": [index, count], "vehicles": read, "failed": failed}
