"""The only place ConfigLedger reads wall time.

Capture times, signature skew and token expiry all ask a ``Clock``; tests that must
move time hand the server a ``FrozenClock`` instead of sleeping.
"""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime
from functools import lru_cache
from typing import Protocol


class Clock(Protocol):
    def now_ms(self) -> int:
        """Milliseconds since the epoch, UTC."""
        ...


class SystemClock:
    def now_ms(self) -> int:
        return time.time_ns() // 1_000_000


class FrozenClock:
    """A clock that moves only when told; thread-safe so a live server can share it."""

    def __init__(self, start_ms: int) -> None:
        self._ms = start_ms
        self._lock = threading.Lock()

    def now_ms(self) -> int:
        with self._lock:
            return self._ms

    def advance(self, ms: int) -> None:
        with self._lock:
            self._ms += ms


def to_datetime(ms: int) -> datetime:
    return datetime.fromtimestamp(ms / 1000, tz=UTC)


def iso_ms(ms: int) -> str:
    """ISO-8601 UTC with milliseconds, the form AWS uses inside documents."""
    seconds, millis = divmod(ms, 1000)
    return f"{_iso_seconds(seconds)}.{millis:03d}Z"


@lru_cache(maxsize=1024)
def _iso_seconds(seconds: int) -> str:
    """Remembered: the items a pass renders were mostly captured in the same few seconds
    (a sweep records a type at once), and formatting is a fair share of rendering one."""
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(seconds))
