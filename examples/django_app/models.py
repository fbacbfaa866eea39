"""What webhooks pushed: one row per event handed over."""

from __future__ import annotations

from django.db import models


class PushedEvent(models.Model):
    """A VEHICLE_STATE event: its vehicle's signals as the page shows them."""

    event_id = models.CharField(max_length=255)
    user_id = models.CharField(max_length=255, db_index=True)
    vehicle_id = models.CharField(max_length=255)
    delivered_at = models.FloatField(null=True)
    received_at = models.FloatField()
    signals = models.JSONField(default=list)
