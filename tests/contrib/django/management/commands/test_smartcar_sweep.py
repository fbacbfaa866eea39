"""``manage.py smartcar_sweep``: JSON lines, a file, the model, shards, the app token in the
Django store; on SQLite and PostgreSQL."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any, List

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from smartcar.contrib.django.models import SweepRecord, Token


def sweep(*args: str) -> List[Any]:
    out, err = io.StringIO(), io.StringIO()
    call_command("smartcar_sweep", *args, stdout=out, stderr=err)
    assert "swept" in err.getvalue()
    return [json.loads(line) for line in out.getvalue().splitlines()]


def test_json_lines_on_stdout(project: Any) -> None:
    lines = sweep("--codes", "odometer-traveleddistance", "--concurrency", "3")
    vehicles = {connection.vehicle_id for connection in project.v3.connections()}
    assert {line["vehicle_id"] for line in lines} == vehicles and len(lines) == len(vehicles)
    assert all(
        line["ok"] and set(line["signals"]) <= {"odometer-traveleddistance"} for line in lines
    )
    assert Token.objects.count() == 1  # the app token, in the Django store


def test_shards_cover_the_fleet_once(project: Any) -> None:
    first = {line["vehicle_id"] for line in sweep("--shard", "0/2")}
    second = {line["vehicle_id"] for line in sweep("--shard", "1/2")}
    assert not first & second
    assert len(first | second) == len(project.v3.connections())


def test_into_a_file(project: Any, tmp_path: Path) -> None:
    path = tmp_path / "sweep.jsonl"
    assert sweep("--json-lines", str(path)) == []
    assert len(path.read_text().splitlines()) == len(project.v3.connections())


def test_into_the_model(project: Any) -> None:
    assert sweep("--into-model") == []
    records = list(SweepRecord.objects.all())
    assert len(records) == len(project.v3.connections())
    assert all(record.ok and record.signals and record.error is None for record in records)


def test_a_failed_vehicle_is_recorded_with_its_error(project: Any) -> None:
    project.faults.add("/v3/vehicles/*/signals", status=500, count=1000)
    sweep("--into-model")
    assert SweepRecord.objects.filter(ok=False).count() == len(project.v3.connections())
    record = SweepRecord.objects.first()
    assert record is not None and record.error["status_code"] == 500


@pytest.mark.parametrize(
    ("args", "message"),
    [(["--shard", "3/2"], "0 <= k < n"), (["--concurrency", "0"], "at least 1")],
)
def test_bad_arguments(project: Any, args: List[str], message: str) -> None:
    with pytest.raises(CommandError, match=message):
        call_command("smartcar_sweep", *args, stdout=io.StringIO(), stderr=io.StringIO())


def test_refused_credentials_are_a_command_error(project: Any, settings: Any) -> None:
    settings.SMARTCAR = {**settings.SMARTCAR, "CLIENT_SECRET": "wrong"}
    with pytest.raises(CommandError, match="the sweep stopped") as raised:
        call_command("smartcar_sweep", stdout=io.StringIO(), stderr=io.StringIO())
    assert "wrong" not in str(raised.value)
