"""The recorder's background loop: turn outbox events into sweeps.

It consumes ``ConfigurationRecorderStarted`` (a full sweep of that account and region)
and ``CloudTrailEventRecorded`` (a sweep of the types the event may have changed, whose
new items name the event in relatedEvents), and runs a full sweep of every recording
partition every ``sweep_interval`` seconds to catch changes made outside the API. Its
cursor advances only after a batch is recorded, so a crash replays the batch; replays
are harmless because reconciling an unchanged listing writes nothing.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from configledger.recorder.engine import RecordingEngine
from configledger.recorder.resource_types import types_for_event
from configledger.store import outbox
from configledger.store.cloudtrail import OUTBOX_TOPIC as CLOUDTRAIL_EVENT
from configledger.store.schema import recorders

log = logging.getLogger("configledger.recorder")

CONSUMER = "recorder"


class Feed(Protocol):
    def poll(self) -> int: ...


_TOPICS = (outbox.RECORDER_STARTED, CLOUDTRAIL_EVENT)


@dataclass(frozen=True, slots=True)
class _Job:
    account_id: str
    region: str
    types: frozenset[str] | None  # None: every recorded type
    events: tuple[str, ...]


def plan(events: list[outbox.OutboxEvent]) -> list[_Job]:
    """Sweeps for a batch of events, merging neighbours that ask for the same sweep."""
    jobs: list[_Job] = []
    for event in events:
        if event.topic == outbox.RECORDER_STARTED:
            job = _Job(event.account_id, event.region, None, ())
        else:
            changed = types_for_event(event.payload["eventName"], event.payload.get("eventSource"))
            names = frozenset(t.type_name for t in changed)
            if not names:
                continue
            job = _Job(event.account_id, event.region, names, (event.payload["eventId"],))
        last = jobs[-1] if jobs else None
        if last and (last.account_id, last.region, last.types) == (
            job.account_id,
            job.region,
            job.types,
        ):
            jobs[-1] = _Job(job.account_id, job.region, job.types, last.events + job.events)
        else:
            jobs.append(job)
    return jobs


class RecorderWorker:
    def __init__(
        self,
        engine: RecordingEngine,
        *,
        sweep_interval: int,
        poll: float = 0.05,
        feeds: Sequence[tuple[Feed, float]] = (),
    ) -> None:
        self.engine = engine
        self.sweep_interval = sweep_interval
        self.poll = poll
        # Change feeds of real accounts, each with its polling interval in seconds.
        self.feeds = list(feeds)
        self._feed_due = [0.0] * len(self.feeds)
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread = threading.Thread(target=self._run, name="configledger-recorder", daemon=True)
        self._last_full = time.monotonic()

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        self._thread.join(timeout=30)

    def notify(self) -> None:
        """Look at the outbox now rather than at the next poll."""
        self._wake.set()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self._poll_feeds()
                busy = self.step()
                if self.sweep_interval and time.monotonic() - self._last_full > self.sweep_interval:
                    self.sweep_all()
            except Exception:
                log.exception("recorder step failed; retrying")
                busy = False
            if not busy:
                self._wake.wait(self.poll)
                self._wake.clear()

    def _poll_feeds(self) -> None:
        now = time.monotonic()
        for index, (feed, interval) in enumerate(self.feeds):
            if now >= self._feed_due[index]:
                self._feed_due[index] = now + interval
                try:
                    feed.poll()
                except Exception:
                    log.exception("change feed %s failed", type(feed).__name__)

    def step(self) -> bool:
        """Process one batch of events; whether there was any."""
        database = self.engine.database
        with database.read() as conn:
            events = outbox.read_batch(conn, CONSUMER, limit=200, topics=_TOPICS)
        if not events:
            return False
        for job in plan(events):
            try:
                self.engine.sweep(
                    job.account_id, job.region, types=job.types, related_events=job.events
                )
            except Exception:
                # One partition's failure must not stall every other: the next full
                # sweep of that partition reconciles whatever this one missed.
                log.exception(
                    "sweep of %s/%s for %s failed", job.account_id, job.region, job.events
                )
        with database.write() as conn:
            outbox.advance(conn, CONSUMER, events[-1].seq)
        return True

    def sweep_all(self) -> None:
        self._last_full = time.monotonic()
        with self.engine.database.read() as conn:
            partitions = conn.execute(
                recorders.select()
                .with_only_columns(recorders.c.account_id, recorders.c.region)
                .where(recorders.c.recording.is_(True))
            ).all()
        for account_id, region in partitions:
            self.engine.sweep(account_id, region)
