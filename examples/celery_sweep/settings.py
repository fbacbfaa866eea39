"""The example's configuration, from the environment (one place for every worker and the runner)."""

from __future__ import annotations

import os
from dataclasses import dataclass

__all__ = ["Settings"]


@dataclass(frozen=True)
class Settings:
    """Where the broker, token store and results live, and the API credentials.

    Attributes:
        redis_url: the Redis database used as the Celery broker, result backend, token store
            and result sink (``FLEET_REDIS_URL``, default ``redis://127.0.0.1:6379/0``).
        client_id, client_secret: the application's API credentials
            (``SMARTCAR_CLIENT_ID`` / ``SMARTCAR_CLIENT_SECRET``).
        prefix: prefix of every Redis key the example writes (``FLEET_PREFIX``).
    """

    redis_url: str
    client_id: str
    client_secret: str
    prefix: str

    @classmethod
    def from_env(cls) -> Settings:
        return cls(
            redis_url=os.environ.get("FLEET_REDIS_URL", "redis://127.0.0.1:6379/0"),
            client_id=os.environ.get("SMARTCAR_CLIENT_ID", ""),
            client_secret=os.environ.get("SMARTCAR_CLIENT_SECRET", ""),
            prefix=os.environ.get("FLEET_PREFIX", "fleet:"),
        )

    @property
    def results_key(self) -> str:
        """The Redis hash of results: vehicle id -> JSON summary."""
        return self.prefix + "results"

    @property
    def reads_key(self) -> str:
        """The Redis hash counting how many results each vehicle got (1 when all is well)."""
        return self.prefix + "reads"
