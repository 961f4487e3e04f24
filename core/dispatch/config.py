"""The dispatcher's tunables, read from settings (see the Dispatch block of core/settings.py)."""

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings


@dataclass(frozen=True)
class DispatchConfig:
    batch_size: int
    reconnect_after: int
    max_tries: int
    backoff_seconds: float
    lease_seconds: float
    time_budget: float
    rate_limit: float
    connect_timeout: float
    read_timeout: float
    server_fault_after: int
    end_grace_seconds: float

    @classmethod
    def from_settings(cls, **overrides) -> "DispatchConfig":
        values = {
            "batch_size": settings.DISPATCH_BATCH_SIZE,
            "reconnect_after": settings.DISPATCH_RECONNECT_AFTER,
            "max_tries": settings.DISPATCH_MAX_TRIES,
            "backoff_seconds": settings.DISPATCH_BACKOFF_SECONDS,
            "lease_seconds": settings.DISPATCH_LEASE_SECONDS,
            "time_budget": settings.DISPATCH_TIME_BUDGET,
            "rate_limit": settings.DISPATCH_RATE_LIMIT,
            "connect_timeout": settings.DISPATCH_CONNECT_TIMEOUT,
            "read_timeout": settings.DISPATCH_READ_TIMEOUT,
            "server_fault_after": settings.DISPATCH_SERVER_FAULT_AFTER,
            "end_grace_seconds": settings.DISPATCH_END_GRACE_SECONDS,
        }
        values.update(overrides)
        return cls(**values)

    @property
    def lease(self) -> timedelta:
        return timedelta(seconds=self.lease_seconds)

    def backoff(self, tries: int) -> timedelta:
        """Delay before the next try after `tries` tries: base, 2 * base, 4 * base, ..."""
        return timedelta(seconds=self.backoff_seconds * 2 ** max(0, tries - 1))
