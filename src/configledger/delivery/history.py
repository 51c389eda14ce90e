"""Configuration history files: one per resource type per delivery period (spec 6.4).

A delivery is planned before anything is written: the queue's last history row (``upto``)
and the delivery time are stored, so a retry, even after a crash, writes the same files
under the same keys (their names carry the first and last capture time of their items)
and replaces what a failed attempt left. Types already delivered are noted in the plan,
so a retry repeats at most the file that was in flight and its SNS message.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sqlalchemy import func, select

from configledger.delivery import messages, sns
from configledger.delivery.keys import Layout
from configledger.delivery.render import stream_json
from configledger.delivery.s3 import write_gzip_stream
from configledger.store import deliveries
from configledger.store.database import Database
from configledger.store.schema import configuration_items, delivery_queue

_PAGE = 2_000


def planned_types(
    database: Database, account_id: str, region: str, upto: int
) -> list[tuple[str, int, int, int]]:
    """(resource type, first capture ms, last capture ms, items) of a plan."""
    q, ci = delivery_queue.c, configuration_items.c
    with database.read() as conn:
        rows = conn.execute(
            select(ci.resource_type, func.min(ci.state_id), func.max(ci.state_id), func.count())
            .select_from(delivery_queue.join(configuration_items, ci.seq == q.subject_seq))
            .where(
                q.account_id == account_id,
                q.region == region,
                q.kind == deliveries.HISTORY,
                q.seq <= upto,
            )
            .group_by(ci.resource_type)
            .order_by(ci.resource_type)
        )
        return [(str(t), int(a), int(b), int(n)) for t, a, b, n in rows]


def _fragments(
    database: Database, account_id: str, region: str, resource_type: str, upto: int
) -> Iterator[bytes]:
    q, ci = delivery_queue.c, configuration_items.c
    yield b'{"fileVersion":"1.0","configurationItems":['
    after = 0
    first = True
    while True:
        with database.read() as conn:
            rows = conn.execute(
                select(q.seq, ci.document)
                .select_from(delivery_queue.join(configuration_items, ci.seq == q.subject_seq))
                .where(
                    q.account_id == account_id,
                    q.region == region,
                    q.kind == deliveries.HISTORY,
                    q.seq > after,
                    q.seq <= upto,
                    ci.resource_type == resource_type,
                )
                .order_by(q.seq)
                .limit(_PAGE)
            ).all()
        for _, document in rows:
            yield (b"" if first else b",") + stream_json(document)
            first = False
        if len(rows) < _PAGE:
            break
        after = int(rows[-1][0])
    yield b"]}"


def deliver(
    database: Database,
    channel: deliveries.Channel,
    plan: dict[str, Any],
    *,
    s3: Any,
    sns_client: Any | None,
    now_ms: int,
) -> list[str]:
    """Carry out ``plan`` ({"upto", "at", "done": [types]}); the keys written."""
    account_id, region = channel.account_id, channel.region
    layout = Layout(account_id, region, channel.prefix)
    upto, at_ms = int(plan["upto"]), int(plan["at"])
    done: list[str] = list(plan.get("done") or [])
    written = []
    for resource_type, first_ms, last_ms, _ in planned_types(database, account_id, region, upto):
        if resource_type in done:
            continue
        key = layout.history(resource_type, first_ms, last_ms, 1, at_ms)
        fragments = _fragments(database, account_id, region, resource_type, upto)
        write_gzip_stream(s3, channel.bucket, key, fragments, channel.kms_key)
        if sns_client is not None and channel.topic_arn:
            body = messages.history_completed(channel.bucket, key, now_ms)
            outgoing = sns.Outgoing(
                "1", messages.history_subject(account_id, region), messages.encode(body)
            )
            sns.publish(sns_client, channel.topic_arn, [outgoing], lambda _: None)
        done.append(resource_type)
        written.append(key)
        with database.write() as conn:
            deliveries.update_status(
                conn, account_id, region, deliveries.HISTORY, plan={**plan, "done": done}
            )
    return written
