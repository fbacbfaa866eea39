"""Fleet sweep benchmark: ``Client.sweep`` against the emulator at a fixed per-request latency.

Usage::

    .venv/bin/python benchmarks/fleet.py            # N = 500, 2,000, 8,000 (about 3 minutes)
    .venv/bin/python benchmarks/fleet.py --quick    # N = 200, 800; baseline at N = 100

For each fleet size N the emulator runs in a process of its own (``_fleet_server.py``) with N
connected vehicles and every ``/v3/*`` request delayed by ``--latency`` seconds (100 ms), and the
sweep runs in a fresh client process (``_fleet_client.py``), so that peak RSS is the sweep's
own. Printed side by side, from the same run:

* wall time of the sweep against the ideal ``N x latency / concurrency``;
* peak RSS of the client process at each N (the goal: flat);
* requests the server saw: signals reads per vehicle (the goal: exactly 1), connection pages,
  token requests;
* the official smartcar 6.19.1 doing the same reads its way (``Vehicle.get_signals()`` per
  vehicle, in a loop) at the smallest N, as the baseline (its venv is made once, in
  ``benchmarks/.venv-official-6``).

Loopback only. Exits 0 even when a goal is missed, unless ``--strict`` (then 1).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from run import BenchError, ensure_official_venv, stop_process  # noqa: E402

OFFICIAL_V3_VERSION = "6.19.1"
DEFAULT_OFFICIAL_VENV = HERE / ".venv-official-6"
GOAL_WALL_RATIO = 1.15
GOAL_RSS_GROWTH = 1.25  # peak RSS at the largest N over the smallest, at most


class FleetServer:
    """The emulator process for one fleet size."""

    def __init__(self, vehicles: int, latency: float) -> None:
        self.process = subprocess.Popen(
            [sys.executable, str(HERE / "_fleet_server.py"), "--vehicles", str(vehicles),
             "--latency", str(latency)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )  # fmt: skip
        self.info: Dict[str, Any] = json.loads(self._line())

    def _line(self) -> str:
        assert self.process.stdout is not None
        line = self.process.stdout.readline()
        if not line:
            raise BenchError("the fleet server exited before answering")
        return line

    def command(self, name: str) -> Dict[str, Any]:
        assert self.process.stdin is not None
        self.process.stdin.write(name + "\n")
        self.process.stdin.flush()
        answer: Dict[str, Any] = json.loads(self._line())
        return answer

    def env(self) -> Dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("SMARTCAR_")}
        env.update(self.info["environment"])
        return env

    def stop(self) -> None:
        stop_process(self.process)


def run_client(python: Path, kind: str, server: FleetServer, args: argparse.Namespace,
               vehicles_file: Optional[Path] = None) -> Dict[str, Any]:  # fmt: skip
    command = [
        str(python), str(HERE / "_fleet_client.py"), kind,
        "--origin", server.info["origin"],
        "--client-id", server.info["client_id"],
        "--client-secret", server.info["client_secret"],
        "--concurrency", str(args.concurrency),
    ]  # fmt: skip
    if vehicles_file is not None:
        command += ["--vehicles", str(vehicles_file)]
    done = subprocess.run(
        command, env=server.env(), capture_output=True, text=True, timeout=3600, check=False
    )
    if done.returncode != 0:
        raise BenchError(f"{kind} client failed:\n{done.stdout}{done.stderr[-3000:]}")
    outcome: Dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return outcome


def measure(size: int, args: argparse.Namespace, official: Optional[Path]) -> Dict[str, Any]:
    server = FleetServer(size, args.latency)
    try:
        runs = []
        for _ in range(args.repeat):
            server.command("reset")
            runs.append(run_client(Path(sys.executable), "sdk", server, args))
            runs[-1]["stats"] = server.command("stats")
        row: Dict[str, Any] = {"n": size, "sdk": runs}
        if official is not None:
            with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as handle:
                handle.write("\n".join(vehicle for vehicle, _ in server.info["vehicles"]))
                vehicles_file = Path(handle.name)
            try:
                server.command("reset")
                row["official"] = run_client(official, "official", server, args, vehicles_file)
                row["official"]["stats"] = server.command("stats")
            finally:
                vehicles_file.unlink()
        return row
    finally:
        server.stop()


def report(rows: Sequence[Dict[str, Any]], args: argparse.Namespace) -> bool:
    print()
    print(f"Fleet sweep, latency {args.latency * 1000:.0f} ms per request, "
          f"concurrency {args.concurrency}, median of {args.repeat} run(s) per N")  # fmt: skip
    header = (
        f"{'N':>6}  {'client':<24} {'wall s':>8} {'ideal s':>8} {'ratio':>6} "
        f"{'peak RSS MiB':>12} {'reads/veh':>9} {'pages':>5} {'tokens':>6} {'failed':>6}"
    )
    print(header)
    print("-" * len(header))
    ok = True
    rss: List[float] = []
    for row in rows:
        n = row["n"]
        ideal = n * args.latency / args.concurrency
        walls = [run["wall"] for run in row["sdk"]]
        wall = statistics.median(walls)
        peak = statistics.median(run["peak_rss_kib"] for run in row["sdk"]) / 1024
        rss.append(peak)
        last = row["sdk"][-1]
        reads = last["stats"]["reads_per_vehicle"]
        kinds = last["stats"]["kinds"]
        exact = reads == {"1": n} and last["results"] == n
        ratio = wall / ideal
        ok = ok and exact and ratio <= GOAL_WALL_RATIO and last["failed"] == 0
        print(
            f"{n:>6}  {'smartcar sweep':<24} {wall:>8.2f} {ideal:>8.2f} {ratio:>5.2f}x "
            f"{peak:>12.1f} {_reads(reads, n):>9} {kinds.get('connection_pages', 0):>5} "
            f"{kinds.get('token', 0):>6} {last['failed']:>6}"
        )
        official = row.get("official")
        if official is not None:
            o_reads = official["stats"]["reads_per_vehicle"]
            print(
                f"{n:>6}  {'official 6.19.1 loop':<24} {official['wall']:>8.2f} {ideal:>8.2f} "
                f"{official['wall'] / ideal:>5.2f}x {official['peak_rss_kib'] / 1024:>12.1f} "
                f"{_reads(o_reads, n):>9} {'-':>5} {'-':>6} {official['failed']:>6}"
            )
            print(f"{'':>6}  sweep is {official['wall'] / wall:.1f}x faster than the official loop")
    growth = rss[-1] / rss[0] if rss else 1.0
    ok = ok and growth <= GOAL_RSS_GROWTH
    print()
    print(f"goal: wall within {GOAL_WALL_RATIO}x of ideal at every N, exactly 1 read per "
          f"vehicle, no failure: {'met' if ok else 'MISSED'}")  # fmt: skip
    print(f"goal: peak RSS flat (largest N / smallest N = {growth:.2f}, at most "
          f"{GOAL_RSS_GROWTH}): {'met' if growth <= GOAL_RSS_GROWTH else 'MISSED'}")  # fmt: skip
    return ok


def _reads(reads: Dict[str, int], n: int) -> str:
    if reads == {"1": n}:
        return "1"
    return ",".join(f"{k}x{v}" for k, v in sorted(reads.items())) or "0"


def parse_args(argv: Optional[Sequence[str]]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="500,2000,8000", help="fleet sizes (comma-separated)")
    parser.add_argument("--latency", type=float, default=0.1, help="seconds per request")
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--repeat", type=int, default=1, help="sweeps per N (median)")
    parser.add_argument("--no-official", action="store_true", help="skip the 6.19.1 baseline")
    parser.add_argument("--official-venv", type=Path, default=DEFAULT_OFFICIAL_VENV)
    parser.add_argument("--quick", action="store_true", help="N = 200, 800; baseline N = 100")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a goal is missed")
    return parser.parse_args(argv)


def main(argv: Optional[Sequence[str]] = None) -> int:
    args = parse_args(argv)
    sizes = [100, 200, 800] if args.quick else [int(part) for part in args.sizes.split(",")]
    try:
        official = None
        if not args.no_official:
            with tempfile.TemporaryDirectory() as scratch:
                official = ensure_official_venv(
                    args.official_venv, Path(scratch), OFFICIAL_V3_VERSION
                )
        rows = []
        for index, size in enumerate(sizes):
            print(f"N = {size} ...", flush=True)
            rows.append(measure(size, args, official if index == 0 else None))
    except BenchError as error:
        print(f"benchmark could not run: {error}", file=sys.stderr)
        return 2
    ok = report(rows, args)
    return 1 if args.strict and not ok else 0


if __name__ == "__main__":
    sys.exit(main())
