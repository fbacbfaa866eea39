"""The fleet benchmark's client process: one sweep (this SDK) or one loop (official 6.19.1).

Prints one JSON line: wall time, peak RSS, results and failures. Run by ``benchmarks/fleet.py``.
The environment points the SDK at the server (``SMARTCAR_*_ORIGIN``).
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time
from typing import Any, Dict, List, Optional


def peak_rss_kib() -> int:
    """This process's peak resident set size in KiB (Linux reports ru_maxrss in KiB)."""
    return int(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)


def run_sdk(args: argparse.Namespace) -> Dict[str, Any]:
    import smartcar.v3

    client = smartcar.v3.Client(args.client_id, args.client_secret)
    client.access_token()
    read = failed = 0
    started = time.perf_counter()
    for result in client.sweep(concurrency=args.concurrency):
        read += 1
        failed += not result.ok
    return {"wall": time.perf_counter() - started, "results": read, "failed": failed}


def run_official(args: argparse.Namespace) -> Dict[str, Any]:
    import requests

    import smartcar

    answer = requests.post(
        f"{args.origin}/oauth2/token",
        data={
            "grant_type": "client_credentials",
            "client_id": args.client_id,
            "client_secret": args.client_secret,
        },
        timeout=10,
    )
    token = answer.json()["access_token"]
    with open(args.vehicles, encoding="utf-8") as handle:
        vehicle_ids: List[str] = [line.strip() for line in handle if line.strip()]
    read = failed = 0
    started = time.perf_counter()
    for vehicle_id in vehicle_ids:
        try:
            smartcar.Vehicle(vehicle_id, token).get_signals()
        except Exception:
            failed += 1
        read += 1
    return {"wall": time.perf_counter() - started, "results": read, "failed": failed}


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("kind", choices=("sdk", "official"))
    parser.add_argument("--origin", required=True)
    parser.add_argument("--client-id", required=True)
    parser.add_argument("--client-secret", required=True)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--vehicles", help="file of vehicle ids (official)")
    args = parser.parse_args(argv)
    outcome = run_sdk(args) if args.kind == "sdk" else run_official(args)
    outcome["peak_rss_kib"] = peak_rss_kib()
    print(json.dumps(outcome), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
