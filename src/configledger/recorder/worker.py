"""The recorder's background loop: turn outbox events into sweeps.

It consumes ``ConfigurationRecorderStarted`` (a full sweep of that account and region)
and ``CloudTrailEventRecorded`` (a re-description of the resources the event names, or
a sweep of the types it may have changed where it names none; new items name the event
in relatedEvents), and runs a full sweep of every recording
partition every ``sweep_interval`` seconds to catch changes made outside the API. Its
cursor advances only after a batch is recorded, so a crash replays the batch; replays
are harmless because reconciling an unchanged listing writes nothing.

The periodic sweep goes one partition at a time, with the events in between: with
hundreds of recording accounts a whole pass takes minutes, and a change or a newly
started recorder must not wait for it.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any, Protocol

from sqlalchemy import Connection, select

from configledger.recorder.engine import RecordingEngine, SweepInterrupted
from configledger.recorder.resource_types import REGISTRY, types_for_event
from configledger.recorder.types import Scope
from configledger.store import cloudtrail, outbox
from configledger.store.cloudtrail import OUTBOX_TOPIC as CLOUDTRAIL_EVENT
from configledger.store.schema import recorders, relationships

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
    # Types re-described for the keys the events name, rather than listed.
    targets: tuple[tuple[str, tuple[str, ...]], ...] = ()

    def same_work(self, other: _Job) -> bool:
        return (self.account_id, self.region, self.types, self.targets) == (
            other.account_id,
            other.region,
            other.types,
            other.targets,
        )


# (account, region, type) -> the types its resources' recorded relationships point at.
Contained = dict[tuple[str, str, str], frozenset[str]]


def _event_job(
    event: outbox.OutboxEvent, record: dict[str, Any] | None, contained: Contained
) -> _Job | None:
    """What one CloudTrail event asks for: each type it may have changed, targeted at
    the keys it names where the type can be, else listed (and nothing for a type whose
    keys the event names none of). A type that cascades (a stack) also lists the types
    its event declares and the types its resources are recorded to contain, so what a
    stack deletion or update takes away is seen too."""
    name = event.payload["eventName"]
    listed: set[str] = set()
    targeted: dict[str, tuple[str, ...]] = {}
    scope = Scope(event.account_id, event.region)
    for resource_type in types_for_event(name, event.payload.get("eventSource")):
        if resource_type.cascade is not None:
            key = (event.account_id, event.region, resource_type.type_name)
            cascaded = set(contained.get(key, ()))
            if record is not None:
                cascaded |= set(resource_type.cascade(record))
            listed |= {t for t in cascaded if t in REGISTRY}
        how = resource_type.targeted
        keys = None
        if record is not None and how is not None and name not in how.listing_events:
            keys = how.keys(record, scope)
        if keys is None:
            listed.add(resource_type.type_name)
        elif keys:
            targeted[resource_type.type_name] = keys
    targets = tuple(sorted((t, k) for t, k in targeted.items() if t not in listed))
    types = frozenset(listed | {t for t, _ in targets})
    if not types:
        return None
    return _Job(event.account_id, event.region, types, (event.payload["eventId"],), targets)


def plan(
    events: list[outbox.OutboxEvent],
    records: dict[int, dict[str, Any]] | None = None,
    contained: Contained | None = None,
) -> list[_Job]:
    """Sweeps for a batch of events, merging neighbours that ask for the same sweep.
    ``records``: the CloudTrail records by outbox seq, where the resources an event
    names are read from (an event without one lists every type it may change);
    ``contained``: see ``contained_types``."""
    jobs: list[_Job] = []
    for event in events:
        if event.topic == outbox.RECORDER_STARTED:
            job: _Job | None = _Job(event.account_id, event.region, None, ())
        else:
            job = _event_job(event, (records or {}).get(event.seq), contained or {})
        if job is None:
            continue
        last = jobs[-1] if jobs else None
        if last and last.same_work(job):
            jobs[-1] = replace(job, events=last.events + job.events)
        else:
            jobs.append(job)
    return jobs


def contained_types(conn: Connection, events: list[outbox.OutboxEvent]) -> Contained:
    """For each cascading type the events may change, the types its resources' recorded
    relationships point at, per partition (one DISTINCT query each; events are rare)."""
    wanted = {
        (event.account_id, event.region, resource_type.type_name)
        for event in events
        if event.topic == CLOUDTRAIL_EVENT
        for resource_type in types_for_event(
            event.payload["eventName"], event.payload.get("eventSource")
        )
        if resource_type.cascade is not None
    }
    out: Contained = {}
    for account_id, region, type_name in sorted(wanted):
        rows = conn.execute(
            select(relationships.c.related_type)
            .where(
                relationships.c.account_id == account_id,
                relationships.c.region == region,
                relationships.c.resource_type == type_name,
            )
            .distinct()
        )
        out[(account_id, region, type_name)] = frozenset(row.related_type for row in rows)
    return out


def event_records(conn: Connection, events: list[outbox.OutboxEvent]) -> dict[int, dict[str, Any]]:
    """The CloudTrail record of each CloudTrail event, by outbox seq: the sandbox's are
    in the store (the outbox event's subject), a change feed's travel in the payload."""
    out: dict[int, dict[str, Any]] = {}
    stored: dict[int, int] = {}
    for event in events:
        if event.topic != CLOUDTRAIL_EVENT:
            continue
        if "requestParameters" in event.payload or "responseElements" in event.payload:
            out[event.seq] = event.payload
        elif event.subject_seq is not None:
            stored[event.subject_seq] = event.seq
    for found in cloudtrail.events_by_seq(conn, stored):
        out[stored[found.seq]] = found.record
    return out


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
        self._full_pass: list[tuple[str, str]] = []  # partitions the periodic sweep owes

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self.engine.stopping.set()
        self._wake.set()
        self._thread.join(timeout=30)

    def notify(self) -> None:
        """Look at the outbox now rather than at the next poll."""
        self._wake.set()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self._poll_feeds()
                busy = self.step() or self.sweep_next()
            except SweepInterrupted:
                break  # stopping; the batch's cursor did not move
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
            records = event_records(conn, events) if events else {}
            contained = contained_types(conn, events) if events else {}
        if not events:
            return False
        for job in plan(events, records, contained):
            try:
                self.engine.sweep(
                    job.account_id,
                    job.region,
                    types=job.types,
                    related_events=job.events,
                    targets=dict(job.targets),
                )
            except SweepInterrupted:
                raise  # the cursor must not move past a batch that was not recorded
            except Exception:
                # One partition's failure must not stall every other: the next full
                # sweep of that partition reconciles whatever this one missed.
                log.exception(
                    "sweep of %s/%s for %s failed", job.account_id, job.region, job.events
                )
        with database.write() as conn:
            outbox.advance(conn, CONSUMER, events[-1].seq)
        return True

    def sweep_next(self) -> bool:
        """Sweep the next partition the periodic full sweep owes, starting a new pass
        when one is due; whether there was one."""
        if not self._full_pass:
            if not self.sweep_interval or time.monotonic() - self._last_full <= self.sweep_interval:
                return False
            self._last_full = time.monotonic()
            self._full_pass = self._recording_partitions()
            if not self._full_pass:
                return False
        account_id, region = self._full_pass.pop(0)
        try:
            self.engine.sweep(account_id, region)
        except SweepInterrupted:
            raise
        except Exception:
            log.exception("periodic sweep of %s/%s failed", account_id, region)
        return True

    def _recording_partitions(self) -> list[tuple[str, str]]:
        with self.engine.database.read() as conn:
            rows = conn.execute(
                recorders.select()
                .with_only_columns(recorders.c.account_id, recorders.c.region)
                .where(recorders.c.recording.is_(True))
            ).all()
        return [(account_id, region) for account_id, region in rows]
