"""Dispatch one task per shard to the workers and print what came back.

Usage: ``python -m examples.celery_sweep.run [--shards 4] [--codes CODE ...] [--timeout 600]``
"""

from __future__ import annotations

import argparse
import sys
from typing import List, Optional

from celery import group

from .tasks import SETTINGS, app, sweep_shard


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m examples.celery_sweep.run")
    parser.add_argument("--shards", type=int, default=4, help="tasks to split the fleet into")
    parser.add_argument("--codes", nargs="+", help="only these signal codes")
    parser.add_argument("--concurrency", type=int, default=8, help="reads in flight per task")
    parser.add_argument("--timeout", type=float, default=600.0, help="seconds to wait")
    args = parser.parse_args(argv)
    if args.shards < 1:
        parser.error("--shards must be at least 1")
    redis = app.backend.client
    redis.delete(SETTINGS.results_key, SETTINGS.reads_key)
    job = group(
        sweep_shard.s(k, args.shards, args.codes, args.concurrency) for k in range(args.shards)
    ).apply_async()
    outcomes = job.get(timeout=args.timeout)
    vehicles = sum(outcome["vehicles"] for outcome in outcomes)
    failed = sum(outcome["failed"] for outcome in outcomes)
    doubled = sum(1 for count in redis.hvals(SETTINGS.reads_key) if int(count) != 1)
    for outcome in outcomes:
        print(f"shard {outcome['shard'][0]}/{outcome['shard'][1]}: {outcome['vehicles']} vehicles")
    print(f"total: {vehicles} vehicles, {failed} failed, {doubled} read more than once")
    return 0 if failed == 0 and doubled == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
