"""Token soak: many workers ask for one expired token at once; how many refreshes happen?

For each store (SQLite, then a real redis-server started on a free loopback port), and for
each of ``--rounds`` expiries: the emulator's clock is moved past the access token's
lifetime, then ``--processes`` x ``--threads`` callers (each process with its own
``TokenManager``) call ``access_token`` at the same instant, and every caller checks its token
with ``smartcar.get_user_id``. The table shows, per round: callers, refreshes seen by the
emulator (the goal: exactly 1), failures, distinct tokens handed out, and timings.

Usage: ``python benchmarks/token_soak.py [--processes 8] [--threads 8] [--rounds 3]
[--refresh-latency 0.3] [--json]``
(``make token-soak``). Exits 1 when a round saw more or fewer than one refresh, or a failure.
Everything runs on loopback; nothing is persisted (the SQLite file lives in a temp dir).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path
from typing import Any, Dict, List, Optional

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests" / "support"))

EXPIRE = 2 * 60 * 60 + 1


def soak_store(
    emu: Any, spec: Any, rounds: int, processes: int, threads: int, latency: float
) -> List[Dict[str, Any]]:
    """Run ``rounds`` expiries of one key through the store of ``spec``; one summary each."""
    from token_harness import App, connect_and_save, run_round

    from smartcar.tokens import TokenManager

    key = f"soak-{spec.kind}"
    manager = TokenManager(App.of(emu).client(), spec.open(), clock=emu.clock.now)
    connect_and_save(emu, manager, key)
    summaries = []
    for number in range(1, rounds + 1):
        emu.clock.advance(EXPIRE)
        result = run_round(
            emu, spec, key, processes=processes, threads=threads, refresh_latency=latency
        )
        stored = manager.get(key) or {}
        summary: Dict[str, Any] = {"store": spec.kind, "round": number, **result.summary()}
        summary["tokens_match_store"] = set(result.tokens) == {stored.get("access_token")}
        summary["errors"] = sorted({outcome.error or "" for outcome in result.failures})[:3]
        summaries.append(summary)
    return summaries


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--processes", type=int, default=8)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--refresh-latency",
        type=float,
        default=0.3,
        help="seconds the emulator holds the first refresh, so every caller meets it in flight",
    )
    parser.add_argument("--json", action="store_true", help="one JSON object per round")
    args = parser.parse_args(argv)

    from token_harness import RedisServer, StoreSpec, find_redis_binary

    from smartcar.emulator import Emulator

    summaries: List[Dict[str, Any]] = []
    skipped: List[str] = []
    with tempfile.TemporaryDirectory(prefix="smartcar-soak-") as directory, Emulator() as emu:
        sqlite = StoreSpec("sqlite", str(Path(directory) / "tokens.db"))
        summaries += soak_store(
            emu, sqlite, args.rounds, args.processes, args.threads, args.refresh_latency
        )
        binary = find_redis_binary()
        if binary is None:
            skipped.append("redis: redis-server is not installed (apt-get install redis-server)")
        else:
            server = RedisServer(binary)
            server.start()
            try:
                redis = StoreSpec("redis", server.url)
                summaries += soak_store(
                    emu, redis, args.rounds, args.processes, args.threads, args.refresh_latency
                )
            finally:
                server.cleanup()

    if args.json:
        for summary in summaries:
            print(json.dumps(summary))
    else:
        _print_table(summaries)
    for reason in skipped:
        print(f"skipped {reason}", file=sys.stderr)
    ok = all(
        s["refreshes_seen_by_emulator"] == 1
        and s["failures"] == 0
        and s["answered"] == s["callers"]
        and s["tokens_match_store"]
        for s in summaries
    )
    if not ok:
        print("FAILED: a round did not see exactly one refresh and no failure", file=sys.stderr)
    return 0 if ok else 1


def _print_table(summaries: List[Dict[str, Any]]) -> None:
    columns = [
        ("store", "store"),
        ("round", "round"),
        ("callers", "callers"),
        ("refreshes_seen_by_emulator", "refreshes"),
        ("failures", "failures"),
        ("distinct_tokens", "tokens"),
        ("duration_s", "duration s"),
        ("caller_p50_ms", "p50 ms"),
        ("caller_max_ms", "max ms"),
    ]
    widths = [max(len(title), *(len(str(s[name])) for s in summaries)) for name, title in columns]
    print("  ".join(title.rjust(width) for (_, title), width in zip(columns, widths)))
    for summary in summaries:
        print("  ".join(str(summary[name]).rjust(w) for (name, _), w in zip(columns, widths)))
        for error in summary["errors"]:
            print(f"    error: {error}")


if __name__ == "__main__":
    sys.exit(main())
