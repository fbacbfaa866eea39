"""``manage.py smartcar_sweep``: read the signals of every connected vehicle, concurrently.

The sweep of ``smartcar sweep`` (:meth:`smartcar.v3.Client.sweep`) with the project's client
(its app token in the Django store): results as JSON lines (stdout or a file), or saved as
:class:`~smartcar.contrib.django.models.SweepRecord` rows (``--into-model``).
"""

from __future__ import annotations

import argparse
import json
import time
from typing import Any, Callable, Dict, Optional, Tuple

from django.core.management.base import BaseCommand, CommandError, CommandParser

from smartcar._cli._commands import _result_line, parse_shard
from smartcar.exceptions import SmartcarException

from ... import conf
from ...models import SweepRecord


def _shard(text: str) -> Any:
    try:
        return parse_shard(text)
    except argparse.ArgumentTypeError as error:
        raise CommandError(str(error)) from None


class Command(BaseCommand):
    help = "Read the signals of every connected vehicle, concurrently."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--codes", nargs="+", help="only these signal codes")
        parser.add_argument("--concurrency", type=int, default=16, help="reads in flight (16)")
        parser.add_argument("--shard", help="k/n: this worker's share of the fleet")
        parser.add_argument("--user", help="only this Smartcar user's vehicles")
        target = parser.add_mutually_exclusive_group()
        target.add_argument(
            "--json-lines",
            metavar="FILE",
            default="-",
            help="one JSON object per vehicle ('-': stdout, the default)",
        )
        target.add_argument(
            "--into-model", action="store_true", help="save each result as a SweepRecord row"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        shard = _shard(options["shard"]) if options["shard"] else None
        if options["concurrency"] < 1:
            raise CommandError("--concurrency must be at least 1")
        client = conf.get_client()
        using = conf.get_settings().database
        write, close = self._output(options)
        done = failed = 0
        started = time.monotonic()
        try:
            for result in client.sweep(
                options["codes"],
                concurrency=options["concurrency"],
                user_id=options["user"],
                shard=shard,
            ):
                done += 1
                failed += result.error is not None
                line = _result_line(result, json_lines=True)
                if write is None:
                    _save(json.loads(line), using)
                else:
                    write(line)
        except SmartcarException as error:
            raise CommandError(f"the sweep stopped: {type(error).__name__}: {error}") from None
        finally:
            close()
        seconds = time.monotonic() - started
        self.stderr.write(
            f"swept {done} vehicles in {seconds:.1f}s: {done - failed} read, {failed} failed"
        )

    def _output(
        self, options: Dict[str, Any]
    ) -> Tuple[Optional[Callable[[str], Any]], Callable[[], None]]:
        """Where result lines go (``None``: into the model), and how to close it."""
        if options["into_model"]:
            return None, lambda: None
        path = options["json_lines"]
        if path == "-":
            return (lambda line: self.stdout.write(line, ending="")), self.stdout.flush
        try:
            stream = open(path, "w", encoding="utf-8")  # noqa: SIM115 (closed by the caller)
        except OSError as error:
            raise CommandError(f"cannot write {path}: {error.strerror}") from None
        return stream.write, stream.close


def _save(record: Dict[str, Any], using: str) -> None:
    SweepRecord.objects.using(using).create(
        vehicle_id=record["vehicle_id"],
        user_id=record["user_id"] or "",
        ok=record["ok"],
        attempts=record["attempts"],
        signals=record["signals"],
        error=record["error"],
    )
