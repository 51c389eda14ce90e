"""The delivery worker: from the outbox to SNS and S3, retried until delivered.

Two threads:

* stream: moves outbox events (its own cursor, ``delivery``) into the per-partition
  ``delivery_queue`` in the transaction that advances the cursor, then publishes each
  partition's queued notifications in order. A row leaves the queue right after SNS
  accepted its batch (at most ten messages), so a crash repeats at most that batch: the
  only duplicates a subscriber can see are those of the batch in flight.
* files: history files when a partition's period ends, snapshots when asked for or due.
  Both write under deterministic keys, so a retry replaces what a failed attempt left.

A failing partition (bucket or topic gone, endpoint down) is retried with exponential
backoff and jitter, and its status shows the failure; other partitions go on.

On PostgreSQL outbox rows may commit out of sequence order; the router advances over a
gap in the sequence only once it has stayed open for ``GAP_GRACE`` seconds (a rolled-back
transaction), so an event that commits late is not skipped.
"""

from __future__ import annotations

import logging
import random
import threading
import time
import uuid
from collections.abc import Callable
from typing import Any

import orjson
from botocore.exceptions import BotoCoreError, ClientError

from configledger.clock import Clock
from configledger.delivery import history, messages, snapshot, sns
from configledger.delivery.clients import DeliveryClients
from configledger.delivery.keys import Layout
from configledger.delivery.s3 import gzip_bytes, put_small
from configledger.history.diff import item_diff
from configledger.history.items import NOT_RECORDED, ConfigurationItem
from configledger.store import deliveries, outbox
from configledger.store import recorders as recorder_store
from configledger.store.database import Database
from configledger.store.items import ITEM_RECORDED

log = logging.getLogger("configledger.delivery")

CONSUMER = "delivery"
GAP_GRACE = 10.0
_STREAM_TOPICS = (messages.COMPLIANCE_TOPIC, messages.EVALUATION_STARTED_TOPIC)
_FREQUENCY_MS = {
    "One_Hour": 3_600_000,
    "Three_Hours": 3 * 3_600_000,
    "Six_Hours": 6 * 3_600_000,
    "Twelve_Hours": 12 * 3_600_000,
    "TwentyFour_Hours": 24 * 3_600_000,
}
# S3 answers that mean the bucket itself refuses, as opposed to a transient fault.
_BUCKET_REFUSED = frozenset({"NoSuchBucket", "AccessDenied", "404", "403"})


def snapshot_id_for(account_id: str, region: str, due_ms: int) -> str:
    """The id of a periodic snapshot: the same after a restart, so it is made once."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"configledger:{account_id}:{region}:{due_ms}"))


def error_of(error: BaseException) -> tuple[str, str]:
    if isinstance(error, ClientError):
        details = error.response.get("Error", {})
        return str(details.get("Code", "ClientError")), str(details.get("Message", error))
    if isinstance(error, sns.PublishFailed):
        return error.code, error.message
    if isinstance(error, BotoCoreError):
        return type(error).__name__, str(error)
    return type(error).__name__, str(error)


class DeliveryWorker:
    def __init__(
        self,
        database: Database,
        clients: DeliveryClients,
        clock: Clock,
        *,
        history_interval: int,
        retry_max_seconds: int,
        poll: float = 0.05,
    ) -> None:
        self.database = database
        self.clients = clients
        self.clock = clock
        self.history_ms = max(1, history_interval) * 1000
        self.retry_max_ms = max(1, retry_max_seconds) * 1000
        self.poll = poll
        self._stop = threading.Event()
        self._wake_stream = threading.Event()
        self._wake_files = threading.Event()
        self._gaps: dict[int, float] = {}
        self._threads = [
            threading.Thread(target=self._loop, args=(self.stream_step, self._wake_stream, poll),
                             name="configledger-delivery-stream", daemon=True),
            threading.Thread(target=self._loop, args=(self.files_step, self._wake_files, 0.25),
                             name="configledger-delivery-files", daemon=True),
        ]  # fmt: skip

    # -- the Worker protocol ------------------------------------------------------------

    def start(self) -> None:
        for thread in self._threads:
            thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._wake_stream.set()
        self._wake_files.set()
        for thread in self._threads:
            if thread.is_alive():
                thread.join(timeout=30)

    def notify(self) -> None:
        self._wake_stream.set()
        self._wake_files.set()

    def _loop(self, step: Callable[[], bool], wake: threading.Event, poll: float) -> None:
        while not self._stop.is_set():
            try:
                busy = step()
            except Exception:
                log.exception("delivery step failed; retrying")
                busy = False
            if not busy:
                wake.wait(poll)
                wake.clear()

    # -- routing: outbox -> delivery_queue ----------------------------------------------

    def route(self) -> bool:
        with self.database.read() as conn:
            last = outbox.cursor(conn, CONSUMER)
            events = outbox.read_batch(conn, CONSUMER, limit=1_000)
            channels = deliveries.all_channels(conn) if events else {}
        events = self._contiguous(events, last)
        if not events:
            return False
        rows: list[dict[str, Any]] = []
        routed_ms = self.clock.now_ms()  # a history period is counted from here
        for event in events:
            channel = channels.get((event.account_id, event.region))
            if channel is None:
                continue
            kinds: list[str] = []
            if event.topic == ITEM_RECORDED:
                if event.payload.get("configurationItemStatus") in NOT_RECORDED:
                    continue  # inventory only: no configuration to stream or archive
                kinds.append(deliveries.HISTORY)
                if channel.topic_arn:
                    kinds.append(deliveries.STREAM)
            elif event.topic in _STREAM_TOPICS and channel.topic_arn:
                kinds.append(deliveries.STREAM)
            for kind in kinds:
                rows.append(
                    {
                        "account_id": event.account_id,
                        "region": event.region,
                        "kind": kind,
                        "topic": event.topic,
                        "subject_seq": event.subject_seq,
                        "payload": outbox_payload(event),
                        "created_ms": routed_ms,
                    }
                )
        with self.database.write() as conn:
            deliveries.enqueue(conn, rows)
            outbox.advance(conn, CONSUMER, events[-1].seq)
        return True

    def _contiguous(self, events: list[outbox.OutboxEvent], last: int) -> list[outbox.OutboxEvent]:
        if self.database.is_sqlite:  # one writer: rows commit in sequence order
            return events
        out: list[outbox.OutboxEvent] = []
        expected = last + 1
        now = time.monotonic()
        for event in events:
            if event.seq != expected:
                seen = self._gaps.setdefault(expected, now)
                if now - seen < GAP_GRACE:
                    break
                self._gaps.pop(expected, None)
            out.append(event)
            expected = event.seq + 1
        return out

    # -- the stream -----------------------------------------------------------------------

    def stream_step(self) -> bool:
        busy = self.route()
        with self.database.read() as conn:
            partitions = deliveries.pending_partitions(conn, deliveries.STREAM)
            channels = deliveries.all_channels(conn) if partitions else {}
        for account_id, region in partitions:
            channel = channels.get((account_id, region))
            if channel is None or not channel.topic_arn:
                with self.database.write() as conn:
                    upto = deliveries.last_queued(conn, account_id, region, deliveries.STREAM)
                    if upto is not None:
                        deliveries.dequeue_upto(conn, account_id, region, deliveries.STREAM, upto)
                continue
            if not self._due(account_id, region, deliveries.STREAM):
                continue
            try:
                if self.deliver_stream(channel):
                    busy = True
                self._succeeded(account_id, region, deliveries.STREAM)
            except Exception as error:
                self._failed(account_id, region, deliveries.STREAM, error)
        return busy

    def deliver_stream(self, channel: deliveries.Channel, limit: int = 100) -> int:
        account_id, region = channel.account_id, channel.region
        topic_arn = channel.topic_arn
        assert topic_arn is not None
        with self.database.read() as conn:
            rows = deliveries.queued(conn, account_id, region, deliveries.STREAM, limit=limit)
            wanted = [r.subject_seq for r in rows if r.topic == ITEM_RECORDED and r.subject_seq]
            items = deliveries.items_with_diffs(conn, wanted)
            # Items recorded without a stored diff (PutResourceConfig) are diffed here
            # against the item before them.
            previous = [
                int(r.payload["previousItemSeq"])
                for r in rows
                if r.subject_seq in items
                and items[r.subject_seq][1] is None
                and r.payload.get("previousItemSeq") is not None
            ]
            earlier = deliveries.items_with_diffs(conn, previous)
            role_arn = _role_arn(conn, account_id, region)
        if not rows:
            return 0
        sns_client = self.clients.client("sns", account_id, region, role_arn)
        now = self.clock.now_ms()
        outgoing: list[sns.Outgoing] = []
        for row in rows:
            if row.topic == ITEM_RECORDED:
                found = items.get(row.subject_seq or -1)
                if found is None:  # the item was removed by retention meanwhile
                    outgoing.append(sns.Outgoing(str(row.seq), "", ""))
                    continue
                item = ConfigurationItem.from_record(found[0])
                diff = found[1]
                if diff is None:
                    before = earlier.get(int(row.payload.get("previousItemSeq") or -1))
                    diff = item_diff(
                        ConfigurationItem.from_record(before[0]).to_stream() if before else None,
                        item.to_stream(),
                        item.status.value,
                    )
                body = messages.item_change(item, diff, now)
                text = messages.encode(body)
                if len(text.encode()) > messages.SNS_LIMIT:
                    text = messages.encode(self._oversized(channel, item, text, role_arn, now))
                outgoing.append(
                    sns.Outgoing(str(row.seq), messages.item_subject(item, region), text)
                )
            else:
                body = row.payload["message"]
                outgoing.append(
                    sns.Outgoing(
                        str(row.seq),
                        messages.forwarded_subject(body, region),
                        messages.encode(body),
                    )
                )
        skipped = [int(m.ident) for m in outgoing if not m.message]
        if skipped:
            with self.database.write() as conn:
                deliveries.dequeue(conn, skipped)

        def done(batch: list[sns.Outgoing]) -> None:
            with self.database.write() as conn:
                deliveries.dequeue(conn, [int(m.ident) for m in batch])

        sns.publish(sns_client, topic_arn, [m for m in outgoing if m.message], done)
        return len(rows)

    def _oversized(
        self,
        channel: deliveries.Channel,
        item: ConfigurationItem,
        text: str,
        role_arn: str | None,
        now: int,
    ) -> dict[str, Any]:
        """Put the whole notification in S3 and point at it (spec 6.7)."""
        layout = Layout(channel.account_id, channel.region, channel.prefix)
        key = layout.oversized(item.resource_type, item.resource_id, item.capture_ms)
        s3 = self.clients.client("s3", channel.account_id, channel.region, role_arn)
        try:
            put_small(s3, channel.bucket, key, gzip_bytes(text.encode()), channel.kms_key)
        except ClientError as error:
            code, _ = error_of(error)
            if code not in _BUCKET_REFUSED:
                raise
            return messages.oversized(
                item,
                now,
                location=None,
                error_code=code,
                error_message=(
                    f"Failed to deliver notification to bucket: {channel.bucket} for account "
                    f"{channel.account_id} in region {channel.region}."
                ),
            )
        return messages.oversized(item, now, location=f"{channel.bucket}/{key}")

    # -- files: history and snapshots -----------------------------------------------------

    def files_step(self) -> bool:
        now = self.clock.now_ms()
        with self.database.read() as conn:
            channels = deliveries.all_channels(conn)
        busy = False
        for channel in channels.values():
            try:
                busy = self._history(channel, now) or busy
                self._schedule_snapshot(channel, now)
            except Exception:
                log.exception("history of %s/%s failed", channel.account_id, channel.region)
        with self.database.read() as conn:
            wanted = deliveries.unfinished_snapshots(conn)
        for snap in wanted:
            owner = channels.get((snap.account_id, snap.region))
            if owner is None:
                continue
            if self._due(snap.account_id, snap.region, deliveries.SNAPSHOT):
                self.run_snapshot(owner, snap)
                busy = True
        return busy

    def _history(self, channel: deliveries.Channel, now: int) -> bool:
        """Deliver the partition's history once the period its oldest queued item was
        queued in has ended. Nothing is written while there is nothing to deliver."""
        account_id, region = channel.account_id, channel.region
        with self.database.read() as conn:
            plan = deliveries.status(conn, account_id, region, deliveries.HISTORY).plan
            oldest = deliveries.oldest_queued_ms(conn, account_id, region, deliveries.HISTORY)
        if plan is None:
            if oldest is None or now < (oldest // self.history_ms + 1) * self.history_ms:
                return False
            with self.database.write() as conn:
                upto = deliveries.last_queued(conn, account_id, region, deliveries.HISTORY)
                if upto is None:
                    return False
                plan = {"upto": upto, "at": now, "done": []}
                deliveries.update_status(
                    conn, account_id, region, deliveries.HISTORY,
                    next_delivery_ms=(now // self.history_ms + 1) * self.history_ms, plan=plan,
                )  # fmt: skip
        if not self._due(account_id, region, deliveries.HISTORY):
            return False
        try:
            with self.database.read() as conn:
                role_arn = _role_arn(conn, account_id, region)
            s3 = self.clients.client("s3", account_id, region, role_arn)
            sns_client = (
                self.clients.client("sns", account_id, region, role_arn)
                if channel.topic_arn
                else None
            )
            history.deliver(self.database, channel, plan, s3=s3, sns_client=sns_client, now_ms=now)
        except Exception as error:
            self._failed(account_id, region, deliveries.HISTORY, error)
            return False
        with self.database.write() as conn:
            deliveries.dequeue_upto(conn, account_id, region, deliveries.HISTORY, int(plan["upto"]))
            deliveries.update_status(conn, account_id, region, deliveries.HISTORY, plan=None)
        self._succeeded(account_id, region, deliveries.HISTORY)
        return True

    def _schedule_snapshot(self, channel: deliveries.Channel, now: int) -> None:
        """Request the periodic snapshot when a period boundary (a multiple of the
        channel's deliveryFrequency) has passed since the last one, or since the channel
        was created."""
        period = _FREQUENCY_MS.get(channel.frequency or "")
        if period is None:
            return
        account_id, region = channel.account_id, channel.region
        with self.database.read() as conn:
            due = deliveries.status(conn, account_id, region, deliveries.SNAPSHOT).next_delivery_ms
        if due is None or due > now + period:
            due = (channel.created_ms // period + 1) * period
        if now < due:
            return
        snapshot_id = snapshot_id_for(account_id, region, due)
        with self.database.write() as conn:
            if deliveries.snapshot(conn, account_id, region, snapshot_id) is None:
                deliveries.request_snapshot(conn, account_id, region, snapshot_id, due)
            deliveries.update_status(
                conn, account_id, region, deliveries.SNAPSHOT,
                next_delivery_ms=(now // period + 1) * period,
            )  # fmt: skip

    def run_snapshot(
        self,
        channel: deliveries.Channel,
        snap: deliveries.Snapshot,
        progress: Callable[[int, int], None] | None = None,
    ) -> bool:
        """Deliver one snapshot (started or resumed); whether it completed."""
        account_id, region = channel.account_id, channel.region
        with self.database.read() as conn:
            role_arn = _role_arn(conn, account_id, region)
            failures = deliveries.status(conn, account_id, region, deliveries.SNAPSHOT).failures
        sns_client = (
            self.clients.client("sns", account_id, region, role_arn) if channel.topic_arn else None
        )
        total = snapshot.count_items(self.database, account_id, region)

        def publish(body: dict[str, Any], what: str) -> None:
            if sns_client is None or channel.topic_arn is None:
                return
            subject = messages.snapshot_subject(account_id, region, what)
            outgoing = sns.Outgoing("1", subject, messages.encode(body))
            sns.publish(sns_client, channel.topic_arn, [outgoing], lambda _: None)

        def written(count: int) -> None:
            with self.database.write() as conn:
                deliveries.update_snapshot(
                    conn, account_id, region, snap.snapshot_id, written_items=count
                )
            if progress is not None:
                progress(count, total)

        try:
            if snap.state == "pending":
                publish(messages.snapshot_started(snap.snapshot_id, self.clock.now_ms()), "Started")
                with self.database.write() as conn:
                    deliveries.update_snapshot(
                        conn, account_id, region, snap.snapshot_id,
                        state="started", total_items=total, written_items=0,
                    )  # fmt: skip
            s3 = self.clients.client("s3", account_id, region, role_arn)
            began = time.monotonic()
            key = snapshot.deliver(self.database, channel, snap, s3=s3, progress=written)
            log.info(
                "snapshot %s of %s/%s: %d items in %.2f s",
                snap.snapshot_id, account_id, region, total, time.monotonic() - began,
            )  # fmt: skip
            publish(
                messages.snapshot_completed(
                    snap.snapshot_id, channel.bucket, key, self.clock.now_ms()
                ),
                "Completed",
            )
        except Exception as error:
            self._failed(account_id, region, deliveries.SNAPSHOT, error)
            code, message = error_of(error)
            if failures == 0:  # once per failing streak; the snapshot is retried
                try:
                    publish(
                        messages.snapshot_failed(
                            snap.snapshot_id, f"{code}: {message}", self.clock.now_ms()
                        ),
                        "Failed",
                    )
                except Exception:
                    log.warning("could not announce the failure of snapshot %s", snap.snapshot_id)
            return False
        with self.database.write() as conn:
            deliveries.update_snapshot(
                conn, account_id, region, snap.snapshot_id,
                state="completed", s3_key=key, finished_ms=self.clock.now_ms(),
            )  # fmt: skip
        self._succeeded(account_id, region, deliveries.SNAPSHOT)
        return True

    # -- status and backoff -------------------------------------------------------------

    def _due(self, account_id: str, region: str, kind: str) -> bool:
        with self.database.read() as conn:
            retry_at = deliveries.status(conn, account_id, region, kind).retry_at_ms
        return retry_at is None or self.clock.now_ms() >= retry_at

    def _succeeded(self, account_id: str, region: str, kind: str) -> None:
        now = self.clock.now_ms()
        if kind == deliveries.STREAM:
            with self.database.read() as conn:
                known = deliveries.status(conn, account_id, region, kind)
            if known.last_status == deliveries.SUCCESS and known.failures == 0:
                return  # the stream reports status changes only: nothing to write
        with self.database.write() as conn:
            before = deliveries.status(conn, account_id, region, kind)
            values: dict[str, Any] = {
                "last_status": deliveries.SUCCESS,
                "last_attempt_ms": now,
                "last_success_ms": now,
                "failures": 0,
                "retry_at_ms": None,
            }
            if before.last_status != deliveries.SUCCESS:
                values["last_status_change_ms"] = now
            deliveries.update_status(conn, account_id, region, kind, **values)

    def _failed(self, account_id: str, region: str, kind: str, error: BaseException) -> None:
        code, message = error_of(error)
        log.warning(
            "%s delivery for %s/%s failed (retried with backoff): %s %s",
            kind, account_id, region, code, message,
        )  # fmt: skip
        now = self.clock.now_ms()
        with self.database.write() as conn:
            before = deliveries.status(conn, account_id, region, kind)
            failures = before.failures + 1
            delay = min(self.retry_max_ms, 1000 * 2 ** min(failures - 1, 30))
            values: dict[str, Any] = {
                "last_status": deliveries.FAILURE,
                "last_error_code": code[:256],
                "last_error_message": message,
                "last_attempt_ms": now,
                "failures": failures,
                "retry_at_ms": now + int(delay * random.uniform(0.5, 1.0)),
            }
            if before.last_status != deliveries.FAILURE:
                values["last_status_change_ms"] = now
            deliveries.update_status(conn, account_id, region, kind, **values)


def outbox_payload(event: outbox.OutboxEvent) -> bytes:
    return orjson.dumps(event.payload)


def _role_arn(conn: Any, account_id: str, region: str) -> str | None:
    found = recorder_store.list_recorders(conn, account_id, region)
    return found[0].role_arn if found else None


def delivery_worker(runtime: Any) -> DeliveryWorker:
    """The worker for a runtime, from its settings (server.background_workers)."""
    settings = runtime.settings
    return DeliveryWorker(
        runtime.database,
        DeliveryClients(settings, runtime.credentials),
        runtime.clock,
        history_interval=settings.history_delivery_interval,
        retry_max_seconds=settings.delivery_retry_max_seconds,
    )
