"""The fleet benchmark's server process: the emulator with N vehicles and a fixed latency.

Prints one JSON line (origin, credentials, the vehicles and their user ids), then answers
commands on stdin, one per line: ``stats`` (request counts as JSON), ``reset`` (clear them),
``quit``. Run by ``benchmarks/fleet.py``; not meant to be started by hand.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from typing import Any, Dict, List, Optional

from _emulator_server import FillUserId

FLEET_OWNER = "fleet@example.com"


def stats(emulator: Any) -> Dict[str, Any]:
    """Count the logged requests by kind."""
    kinds: Counter[str] = Counter()
    per_vehicle: Counter[str] = Counter()
    for record in list(emulator.request_log):
        path = record.path.split("?")[0]
        parts = path.strip("/").split("/")
        if parts[:2] == ["v3", "vehicles"] and parts[3:4] == ["signals"]:
            kinds["signals"] += 1
            per_vehicle[parts[2]] += 1
        elif parts[:2] == ["v3", "connections"]:
            kinds["connection_pages"] += 1
        elif path == "/oauth2/token":
            kinds["token"] += 1
        else:
            kinds["other"] += 1
    counts = Counter(per_vehicle.values())
    return {"kinds": dict(kinds), "reads_per_vehicle": {str(k): v for k, v in counts.items()}}


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--vehicles", type=int, required=True)
    parser.add_argument("--latency", type=float, default=0.1)
    args = parser.parse_args(argv)
    from smartcar.emulator import Emulator

    emulator = Emulator(seed=0, patch_const=False, latency=args.latency)
    emulator.app.log_limit = None
    emulator.start()
    vehicles = emulator.v3.add_vehicles(args.vehicles, user=FLEET_OWNER)
    user_id = emulator.user_id(FLEET_OWNER)
    # The HTTP server's app, wrapped for the baseline client only (a benchmark's liberty).
    server = emulator._server
    assert server is not None
    server.app = FillUserId(server.app, user_id)  # every fleet vehicle is this user's
    print(
        json.dumps(
            {
                "origin": emulator.origin,
                "environment": emulator.environment(),
                "client_id": emulator.client_id,
                "client_secret": emulator.client_secret,
                "vehicles": [[vehicle.id, user_id] for vehicle in vehicles],
            }
        ),
        flush=True,
    )
    for line in sys.stdin:
        command = line.strip()
        if command == "stats":
            print(json.dumps(stats(emulator)), flush=True)
        elif command == "reset":
            emulator.app.request_log.clear()
            print("{}", flush=True)
        elif command == "quit":
            break
    emulator.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
