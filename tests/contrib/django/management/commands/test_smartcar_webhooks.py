"""``manage.py smartcar_webhooks``: list webhooks and subscriptions, subscribe the connected
vehicles; on SQLite and PostgreSQL."""

from __future__ import annotations

import io
import json
from typing import Any

from django.core.management import call_command


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("smartcar_webhooks", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_subscribe_then_list(project: Any) -> None:
    hook = project.v3.add_webhook(
        "Doors", "https://example.com/hook", triggers=["closure-islocked"], verify=False
    )
    vehicles = {connection.vehicle_id for connection in project.v3.connections()}
    output = run("subscribe", hook.id)
    assert f"{len(vehicles)} subscribed, 0 already subscribed" in output
    assert {s.vehicle_id for s in project.v3.subscriptions(hook.id)} == vehicles
    assert f"0 subscribed, {len(vehicles)} already subscribed" in run("subscribe", hook.id)

    listing = run("list")
    assert listing.splitlines()[0] == f"{hook.id}  Doors  enabled"
    assert all(f"vehicle {vehicle}" in listing for vehicle in vehicles)
    [line] = run("list", "--json").splitlines()
    record = json.loads(line)
    assert record["webhook"]["id"] == hook.id
    assert {s["vehicle_id"] for s in record["subscriptions"]} == vehicles


def test_subscribe_one_users_vehicles(project: Any) -> None:
    hook = project.v3.add_webhook("All", "https://example.com/hook", verify=False)
    user_id = project.v3.connect()  # the default user's garage
    output = run("subscribe", hook.id, "--user", user_id)
    mine = {c.vehicle_id for c in project.v3.connections() if c.user_id == user_id}
    assert f"{len(mine)} subscribed" in output
    assert {s.vehicle_id for s in project.v3.subscriptions(hook.id)} == mine
