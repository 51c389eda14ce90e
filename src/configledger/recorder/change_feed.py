"""Change signals from a real account, between sweeps (source "aws").

Two feeds turn AWS's own record of write calls into the same outbox events the sandbox
writes (``CloudTrailEventRecorded``), so the worker re-describes what they name:

* ``CloudTrailPoller``: CloudTrail LookupEvents (ReadOnly=false) of every recording
  account and region, through the recorder's role, from a cursor kept in the store.
  Events are at-least-once: the cursor is the newest event time seen plus the ids at
  that instant, and it moves in the same transaction as the outbox events it wrote.
* ``EventQueueConsumer``: an SQS queue fed by an EventBridge rule on
  "AWS API Call via CloudTrail"; a message is deleted only after its outbox event is
  committed.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

import orjson

from configledger.recorder.engine import RecordingEngine
from configledger.store import outbox, state
from configledger.store.cloudtrail import OUTBOX_TOPIC as CLOUDTRAIL_EVENT
from configledger.store.schema import recorders

log = logging.getLogger("configledger.recorder")

_WRITE_EVENTS = [{"AttributeKey": "ReadOnly", "AttributeValue": "false"}]


def _cursor_key(account_id: str, region: str) -> str:
    return f"cloudtrail-cursor:{account_id}:{region}"


class CloudTrailPoller:
    def __init__(self, engine: RecordingEngine, *, lookback_ms: int = 15 * 60 * 1000) -> None:
        self.engine = engine
        self.lookback_ms = lookback_ms

    def poll(self) -> int:
        """Queue every write event since the last poll; how many were new."""
        with self.engine.database.read() as conn:
            partitions = conn.execute(
                recorders.select()
                .with_only_columns(recorders.c.account_id, recorders.c.region, recorders.c.role_arn)
                .where(recorders.c.recording.is_(True))
            ).all()
        total = 0
        for account_id, region, role_arn in partitions:
            try:
                total += self._poll_partition(account_id, region, role_arn)
            except Exception as exc:  # one account's failure must not stop the others
                log.warning("CloudTrail poll of %s/%s failed: %s", account_id, region, exc)
        return total

    def _poll_partition(self, account_id: str, region: str, role_arn: str) -> int:
        database = self.engine.database
        key = _cursor_key(account_id, region)
        with database.read() as conn:
            saved = state.get(conn, key)
        now_ms = self.engine.clock.now_ms()
        since_ms, seen = (
            (int(orjson.loads(saved)["time"]), set(orjson.loads(saved)["ids"]))
            if saved
            else (now_ms - self.lookback_ms, set())
        )
        client = self.engine.sessions.client("cloudtrail", account_id, region, role_arn)
        pages = client.get_paginator("lookup_events").paginate(
            LookupAttributes=_WRITE_EVENTS, StartTime=datetime.fromtimestamp(since_ms / 1000, UTC)
        )
        fresh = [e for page in pages for e in page.get("Events", []) if e["EventId"] not in seen]
        if not fresh:
            return 0
        fresh.sort(key=lambda e: e["EventTime"])
        newest = max(int(e["EventTime"].timestamp() * 1000) for e in fresh)
        at_newest = {
            e["EventId"] for e in fresh if int(e["EventTime"].timestamp() * 1000) == newest
        }
        if newest == since_ms:
            at_newest |= seen
        with database.write() as conn:
            for event in fresh:
                outbox.publish(
                    conn,
                    account_id,
                    region,
                    CLOUDTRAIL_EVENT,
                    {
                        "eventId": event["EventId"],
                        "eventName": event["EventName"],
                        "eventSource": event.get("EventSource"),
                        "eventTime": int(event["EventTime"].timestamp() * 1000),
                        **_named_resources(event.get("CloudTrailEvent")),
                    },
                    now_ms=now_ms,
                )
            state.put(conn, key, orjson.dumps({"time": newest, "ids": sorted(at_newest)}).decode())
        return len(fresh)


def _named_resources(document: Any) -> dict[str, Any]:
    """The sections of a CloudTrail record that name the resources it changed, for the
    worker's targeted re-description (none when the record is unreadable: the types the
    event may change are then listed)."""
    record = document
    if isinstance(document, str | bytes):
        try:
            record = orjson.loads(document)
        except orjson.JSONDecodeError:
            return {}
    if not isinstance(record, dict):
        return {}
    return {
        key: record.get(key)
        for key in ("requestParameters", "responseElements")
        if isinstance(record.get(key), dict)
    }


def events_from_eventbridge(body: str) -> Iterable[dict[str, Any]]:
    """The CloudTrail call inside an EventBridge "AWS API Call via CloudTrail" event."""
    try:
        message = orjson.loads(body)
    except orjson.JSONDecodeError:
        return []
    if not isinstance(message, dict) or message.get("detail-type") != "AWS API Call via CloudTrail":
        return []
    detail = message.get("detail") or {}
    if detail.get("readOnly") is True or "eventName" not in detail:
        return []
    return [
        {
            "accountId": message.get("account") or detail.get("recipientAccountId"),
            "region": message.get("region") or detail.get("awsRegion"),
            "eventId": detail.get("eventID"),
            "eventName": detail["eventName"],
            "eventSource": detail.get("eventSource"),
            **_named_resources(detail),
        }
    ]


class EventQueueConsumer:
    def __init__(self, engine: RecordingEngine, queue_url: str, region: str) -> None:
        self.engine = engine
        self.queue_url = queue_url
        self.region = region

    def poll(self) -> int:
        """Move one batch of queued CloudTrail calls into the outbox."""
        sqs = self.engine.sessions.client(
            "sqs", self.queue_url.split("/")[-2] if "/" in self.queue_url else "", self.region
        )
        answer = sqs.receive_message(
            QueueUrl=self.queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=0
        )
        messages = answer.get("Messages", [])
        if not messages:
            return 0
        now_ms = self.engine.clock.now_ms()
        count = 0
        with self.engine.database.write() as conn:
            for message in messages:
                for event in events_from_eventbridge(message["Body"]):
                    if not event["accountId"] or not event["region"]:
                        continue
                    outbox.publish(
                        conn,
                        event.pop("accountId"),
                        event.pop("region"),
                        CLOUDTRAIL_EVENT,
                        event,
                        now_ms=now_ms,
                    )
                    count += 1
        sqs.delete_message_batch(
            QueueUrl=self.queue_url,
            Entries=[
                {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(messages)
            ],
        )
        return count
