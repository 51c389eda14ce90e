"""AWS Config's S3 key layout (spec 6.2), deterministic so that a retried write replaces.

Date folders are not zero-padded (``2016/9/27``); file-name times are compact UTC
(``20160927T195818Z``); resource types keep their colons.
"""

from __future__ import annotations

import time
from dataclasses import dataclass


def compact(ms: int) -> str:
    return time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(ms // 1000))


def _folder(ms: int) -> str:
    t = time.gmtime(ms // 1000)
    return f"{t.tm_year}/{t.tm_mon}/{t.tm_mday}"


@dataclass(frozen=True, slots=True)
class Layout:
    """Where one channel's files go: ``[<prefix>/]AWSLogs/<account>/Config/...``."""

    account_id: str
    region: str
    prefix: str | None = None

    @property
    def root(self) -> str:
        base = f"AWSLogs/{self.account_id}/Config"
        return f"{self.prefix}/{base}" if self.prefix else base

    def writability_check(self) -> str:
        return f"{self.root}/ConfigWritabilityCheckFile"

    def _dated(self, ms: int) -> str:
        return f"{self.root}/{self.region}/{_folder(ms)}"

    def history(
        self, resource_type: str, first_ms: int, last_ms: int, part: int, at_ms: int
    ) -> str:
        name = (
            f"{self.account_id}_Config_{self.region}_ConfigHistory_{resource_type}_"
            f"{compact(first_ms)}_{compact(last_ms)}_{part}.json.gz"
        )
        return f"{self._dated(at_ms)}/ConfigHistory/{name}"

    def snapshot(self, snapshot_id: str, at_ms: int) -> str:
        name = (
            f"{self.account_id}_Config_{self.region}_ConfigSnapshot_{compact(at_ms)}_"
            f"{snapshot_id}.json.gz"
        )
        return f"{self._dated(at_ms)}/ConfigSnapshot/{name}"

    def oversized(self, resource_type: str, resource_id: str, capture_ms: int) -> str:
        name = (
            f"{self.account_id}_Config_{self.region}_ChangeNotification_{resource_type}_"
            f"{resource_id}_{compact(capture_ms)}_0.json.gz"
        )
        return (
            f"{self._dated(capture_ms)}/OversizedChangeNotification/{resource_type}/"
            f"{resource_id}/{name}"
        )
