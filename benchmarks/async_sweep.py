"""Async sweep benchmark: ``AsyncClient.sweep()`` beside the threaded sweep and bare sweeps.

Usage::

    .venv/bin/python benchmarks/async_sweep.py           # N = 8,192 at concurrency 1,024, 2 s reads
    .venv/bin/python benchmarks/async_sweep.py --quick   # N = 1,024 at 256, 0.5 s reads

A fixture (``_sweep_fixture.py``, asyncio, its own process) answers each signals read after
``--delay`` seconds and counts the TCP connections it accepted. Each sweep runs in a fresh
client process (``_sweep_client.py``), so its peak RSS and CPU are its own. Printed side by side,
from one run:

* the async sweep on the SDK's own client, and the threaded ``Client.sweep()``: wall against the
  ideal ``N x delay / concurrency`` (goal: async within 1.10x), CPU per read and peak RSS (goal:
  async no higher than threaded), TCP connections (goal: at most concurrency + 1, both);
* the async sweep on a caller's aiohttp session and on a caller's httpx client, each beside a
  bare sweep written directly on that library (goal: within 1.10x of its wall and CPU);
* a single signals read, one at a time, with no delay: CPU per call of the async client on each
  library against that library's bare client, and of the sync client against a bare
  ``requests.Session`` (goal: within 1.05x), and the SDK's again with msgspec kept out (the
  ``speedups`` extra's faster JSON parser; the bare clients use ``json``). Each client runs
  ``--rounds`` times, the pair's processes alternating, and the least CPU per call of its
  rounds is compared: the machine's other work only ever adds to a round's time.

Loopback only. Exits 0 even when a goal is missed, unless ``--strict`` (then 1).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence, Tuple

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from fleet import FleetServer  # noqa: E402
from run import BenchError  # noqa: E402

SWEEPS = ("async", "threaded", "async-aiohttp", "bare-aiohttp", "async-httpx", "bare-httpx")
READS = (("read-async-aiohttp", "read-bare-aiohttp"), ("read-async-httpx", "read-bare-httpx"),
         ("read-sync", "read-bare-requests"))  # fmt: skip
STANDARD_JSON = "+standard-json"  # the SDK's single reads again, with msgspec kept out
GOAL_WALL = 1.10
GOAL_BARE = 1.10
GOAL_READ = 1.05


class Fixture(FleetServer):
    """The sweep fixture's process (``_sweep_fixture.py``); commands as the fleet server's."""

    def __init__(self, vehicles: int, delay: float) -> None:
        self.process = subprocess.Popen(
            [sys.executable, str(HERE / "_sweep_fixture.py"), "--vehicles", str(vehicles),
             "--delay", str(delay)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
        )  # fmt: skip
        self.origin: str = json.loads(self._line())["origin"]

    def env(self) -> Dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("SMARTCAR_")}
        for name in ("IAM", "VEHICLE_API_V3", "MANAGEMENT_API_V3"):
            env[f"SMARTCAR_{name}_ORIGIN"] = self.origin
        return env


def run_client(fixture: Fixture, kind: str, args: argparse.Namespace) -> Dict[str, Any]:
    fixture.command("reset")
    client, standard_json = kind.split("+")[0], kind.endswith(STANDARD_JSON)
    command = [sys.executable, str(HERE / "_sweep_client.py"), client,
               "--concurrency", str(args.concurrency), "--reads", str(args.reads)]  # fmt: skip
    if standard_json:
        command.append("--standard-json")
    done = subprocess.run(
        command, env=fixture.env(), capture_output=True, text=True, timeout=1800, check=False
    )
    if done.returncode != 0:
        raise BenchError(f"{kind} client failed:\n{done.stdout}{done.stderr[-3000:]}")
    outcome: Dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    outcome["stats"] = fixture.command("stats")
    return outcome


def report_sweeps(rows: Dict[str, Dict[str, Any]], args: argparse.Namespace) -> List[bool]:
    ideal = args.vehicles * args.delay / args.concurrency
    print(f"\nSweep: N = {args.vehicles:,}, concurrency {args.concurrency:,}, each read "
          f"{args.delay:g} s; ideal wall {ideal:.2f} s")  # fmt: skip
    print(f"{'sweep':<15}{'wall s':>8}{'x ideal':>9}{'CPU ms/read':>13}{'peak RSS MiB':>14}"
          f"{'TCP conns':>11}{'results':>9}{'failed':>8}  reads/vehicle")  # fmt: skip
    for kind, row in rows.items():
        stats = row["stats"]
        print(f"{kind:<15}{row['wall']:>8.2f}{row['wall'] / ideal:>9.3f}"
              f"{1000 * row['cpu'] / max(row['results'], 1):>13.3f}"
              f"{row['peak_rss_kib'] / 1024:>14.1f}{stats['connections']:>11,}"
              f"{row['results']:>9,}{row['failed']:>8}  {stats['reads_per_vehicle']}")  # fmt: skip
    checks: List[Tuple[str, float, float]] = []
    own, threaded = rows["async"], rows["threaded"]
    checks.append(("async wall / ideal", own["wall"] / ideal, GOAL_WALL))
    rss = own["peak_rss_kib"] / threaded["peak_rss_kib"]
    checks.append(("async / threaded peak RSS", rss, 1.0))
    checks.append(("async / threaded CPU per read", own["cpu"] / threaded["cpu"], 1.0))
    limit = args.concurrency + 1
    for kind in ("async", "threaded"):
        used = rows[kind]["stats"]["connections"]
        checks.append((f"{kind} TCP connections / (concurrency + 1)", used / limit, 1.0))
    for library in ("aiohttp", "httpx"):
        sdk, bare = rows[f"async-{library}"], rows[f"bare-{library}"]
        checks.append((f"async on {library} / bare {library} wall", sdk["wall"] / bare["wall"],
                       GOAL_BARE))  # fmt: skip
        checks.append((f"async on {library} / bare {library} CPU", sdk["cpu"] / bare["cpu"],
                       GOAL_BARE))  # fmt: skip
    return _print_checks(checks)


def report_reads(rows: Dict[str, List[Dict[str, Any]]]) -> List[bool]:
    rounds = len(next(iter(rows.values())))
    print(f"\nSingle signals read, one at a time, no delay: CPU per call (the least of {rounds} "
          "rounds, each pair's processes alternating)")  # fmt: skip
    checks = []
    least = {kind: min(1e6 * row["cpu"] / row["results"] for row in rows[kind]) for kind in rows}
    for sdk, bare in READS:
        print(f"{sdk:<22}{least[sdk]:>9.0f} us   {bare:<22}{least[bare]:>9.0f} us"
              f"   (with json, not msgspec: {least[sdk + STANDARD_JSON]:.0f} us, "
              f"{least[sdk + STANDARD_JSON] / least[bare]:.3f}x)")  # fmt: skip
        checks.append((f"{sdk} / {bare} CPU per call", least[sdk] / least[bare], GOAL_READ))
    return _print_checks(checks)


def _print_checks(checks: Sequence[Tuple[str, float, float]]) -> List[bool]:
    met = []
    for name, ratio, goal in checks:
        ok = ratio <= goal
        met.append(ok)
        print(f"  {'ok  ' if ok else 'MISS'} {name}: {ratio:.3f} (goal <= {goal:.2f})")
    return met


def parse_args(argv: Optional[Sequence[str]]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="N = 1,024 at 256, 0.5 s reads")
    parser.add_argument("--vehicles", type=int, default=None)
    parser.add_argument("--concurrency", type=int, default=None)
    parser.add_argument("--delay", type=float, default=None)
    parser.add_argument("--reads", type=int, default=None, help="single reads per client")
    parser.add_argument("--rounds", type=int, default=None, help="single-read rounds per client")
    parser.add_argument("--only", choices=("sweeps", "reads"), default=None)
    parser.add_argument("--strict", action="store_true", help="exit 1 when a goal is missed")
    args = parser.parse_args(argv)
    quick = {"vehicles": 1024, "concurrency": 256, "delay": 0.5, "reads": 300, "rounds": 2}
    full = {"vehicles": 8192, "concurrency": 1024, "delay": 2.0, "reads": 1000, "rounds": 5}
    for name, value in (quick if args.quick else full).items():
        if getattr(args, name) is None:
            setattr(args, name, value)
    return args


def main(argv: Optional[Sequence[str]] = None) -> int:
    args = parse_args(argv)
    met: List[bool] = []
    if args.only != "reads":
        fixture = Fixture(args.vehicles, args.delay)
        try:
            sweeps = {kind: run_client(fixture, kind, args) for kind in SWEEPS}
        finally:
            fixture.stop()
        met += report_sweeps(sweeps, args)
    if args.only != "sweeps":
        fixture = Fixture(1, 0.0)
        try:
            kinds = [kind for sdk, bare in READS for kind in (sdk, bare, sdk + STANDARD_JSON)]
            reads: Dict[str, List[Dict[str, Any]]] = {kind: [] for kind in kinds}
            for _ in range(args.rounds):  # alternating, so a busy moment of the machine hits both
                for kind in reads:
                    reads[kind].append(run_client(fixture, kind, args))
        finally:
            fixture.stop()
        met += report_reads(reads)
    return 1 if args.strict and not all(met) else 0


if __name__ == "__main__":
    sys.exit(main())
