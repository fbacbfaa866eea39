"""``manage.py smartcar_webhooks``: the application's webhooks and their subscriptions, and
subscribing the connected vehicles.

    manage.py smartcar_webhooks list                 each webhook, then its subscriptions
    manage.py smartcar_webhooks subscribe WEBHOOK_ID every connected vehicle (or --user's)
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from smartcar._cli._output import one_line, to_json
from smartcar.exceptions import SmartcarException, StateException

from ... import conf


class Command(BaseCommand):
    help = "List the webhooks and their subscriptions; subscribe the connected vehicles."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
        listing = actions.add_parser("list", help="each webhook and its subscriptions")
        listing.add_argument("--json", action="store_true", help="one JSON object per webhook")
        subscribe = actions.add_parser("subscribe", help="subscribe the connected vehicles")
        subscribe.add_argument("webhook_id")
        subscribe.add_argument("--user", help="only this Smartcar user's vehicles")

    def handle(self, *args: Any, **options: Any) -> None:
        client = conf.get_client()
        try:
            if options["action"] == "list":
                self._list(client, as_json=options["json"])
            else:
                self._subscribe(client, options["webhook_id"], options["user"])
        except SmartcarException as error:
            raise CommandError(f"{type(error).__name__}: {one_line(str(error))}") from None

    def _list(self, client: Any, *, as_json: bool) -> None:
        for hook in client.webhooks():
            subscriptions = list(client.subscriptions(webhook_id=hook["id"]))
            if as_json:
                self.stdout.write(to_json({"webhook": hook, "subscriptions": subscriptions}))
                continue
            state = "enabled" if hook.get("is_enabled") else "disabled"
            self.stdout.write(f"{hook['id']}  {one_line(str(hook.get('name')))}  {state}")
            self.stdout.write(f"  {one_line(str(hook.get('callback_uri')))}")
            for subscription in subscriptions:
                vehicle, user = subscription.get("vehicle_id"), subscription.get("user_id")
                self.stdout.write(f"  - vehicle {vehicle}  user {user}")

    def _subscribe(self, client: Any, webhook_id: str, user_id: Any) -> None:
        added = already = 0
        for connection in client.connections(user_id=user_id):
            try:
                client.subscribe(
                    webhook_id, vehicle_id=connection["vehicle_id"], user_id=connection["user_id"]
                )
            except StateException:  # 409: already subscribed
                already += 1
                continue
            added += 1
            self.stdout.write(f"subscribed {connection['vehicle_id']}")
        self.stdout.write(f"{added} subscribed, {already} already subscribed")
