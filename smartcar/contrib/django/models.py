"""The tables of the token store, the call meter, the webhook seen-set, the users' Smartcar
ids and (optionally) sweep results. Migrations: ``manage.py migrate smartcar``."""

from __future__ import annotations

from django.conf import settings
from django.db import models

__all__ = ["CallCount", "Connection", "Hold", "SeenEvent", "SweepRecord", "Token", "TokenLock"]


class Token(models.Model):
    """One token record (the JSON text ``TokenManager`` writes) per key."""

    key = models.CharField(max_length=255, primary_key=True)
    record = models.TextField()
    updated_at = models.FloatField()

    class Meta:
        db_table = "smartcar_token"


class TokenLock(models.Model):
    """The refresh lease of a key: who holds it, until when (epoch seconds)."""

    key = models.CharField(max_length=255, primary_key=True)
    owner = models.CharField(max_length=255)
    expires_at = models.FloatField()

    class Meta:
        db_table = "smartcar_token_lock"


class CallCount(models.Model):
    """Calls made for a vehicle in a calendar month, and whether the allowance is spent."""

    vehicle_id = models.CharField(max_length=255)
    month = models.CharField(max_length=7)
    calls = models.BigIntegerField(default=0)
    spent = models.BooleanField(default=False)

    class Meta:
        db_table = "smartcar_call_count"
        constraints = [
            models.UniqueConstraint(fields=["vehicle_id", "month"], name="smartcar_call_count_key")
        ]


class Hold(models.Model):
    """An app-wide pause: no request of ``scope`` before ``until`` (epoch seconds)."""

    scope = models.CharField(max_length=255, primary_key=True)
    until = models.FloatField()

    class Meta:
        db_table = "smartcar_hold"


class SeenEvent(models.Model):
    """A webhook event id handed over, as its SHA-256 (any str is an id, even one that the
    database's text type cannot hold), with the hashed mark of the attempt that recorded it."""

    digest = models.CharField(max_length=64, primary_key=True)
    mark = models.CharField(max_length=64, blank=True, default="")
    expires_at = models.FloatField(db_index=True)

    class Meta:
        db_table = "smartcar_seen_event"


class Connection(models.Model):
    """A Django user's Smartcar user id, stored by the Connect callback."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="smartcar_connections"
    )
    smartcar_user_id = models.CharField(max_length=255)
    connected_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "smartcar_connection"
        constraints = [
            models.UniqueConstraint(
                fields=["user", "smartcar_user_id"], name="smartcar_connection_key"
            )
        ]


class SweepRecord(models.Model):
    """One vehicle's result of ``manage.py smartcar_sweep --into-model``."""

    vehicle_id = models.CharField(max_length=255, db_index=True)
    user_id = models.CharField(max_length=255, blank=True, default="")
    ok = models.BooleanField()
    attempts = models.IntegerField(default=1)
    signals = models.JSONField(null=True, blank=True)
    error = models.JSONField(null=True, blank=True)
    swept_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "smartcar_sweep_record"
