"""Every recorded item leaves exactly one outbox event, committed with it, on both stores."""

from __future__ import annotations

import json
from typing import Any

import pytest

from configledger.store import outbox
from configledger.store.items import ITEM_RECORDED
from tests.conftest import LiveServer, config_client, start_custom_recording


def test_each_item_has_one_outbox_event_and_cursors_advance(
    backend: LiveServer, account: str
) -> None:
    client = config_client(backend, account)
    start_custom_recording(client)
    for version in range(3):
        client.put_resource_config(
            ResourceType="Outbox::Test::Thing",
            SchemaVersionId="1",
            ResourceId="thing-1",
            Configuration=json.dumps({"v": version}),
        )
    client.put_resource_config(  # unchanged: no item, so no event
        ResourceType="Outbox::Test::Thing",
        SchemaVersionId="1",
        ResourceId="thing-1",
        Configuration=json.dumps({"v": 2}),
    )
    client.delete_resource_config(ResourceType="Outbox::Test::Thing", ResourceId="thing-1")

    database = backend.app.runtime.database
    consumer = f"test-{account}"
    with database.read() as conn:
        events = [
            e
            for e in outbox.read_batch(conn, consumer, limit=100_000, topics=(ITEM_RECORDED,))
            if e.account_id == account
        ]
    assert [e.payload["configurationItemStatus"] for e in events] == [
        "ResourceDiscovered",
        "OK",
        "OK",
        "ResourceDeleted",
    ]
    assert all(e.payload["resourceId"] == "thing-1" for e in events)
    assert [e.payload["previousItemSeq"] is None for e in events] == [True, False, False, False]
    seqs = [e.seq for e in events]
    assert seqs == sorted(seqs)

    with database.write() as conn:
        outbox.advance(conn, consumer, seqs[1])
        outbox.advance(conn, consumer, seqs[0])  # never backwards
    with database.read() as conn:
        assert outbox.cursor(conn, consumer) == seqs[1]
        rest = [
            e.seq
            for e in outbox.read_batch(conn, consumer, limit=100_000, topics=(ITEM_RECORDED,))
            if e.account_id == account
        ]
    assert rest == seqs[2:]


def test_an_item_and_its_event_commit_or_roll_back_together(
    backend: LiveServer, account: str
) -> None:
    """The outbox event is written in the item's own transaction: inside it both are
    there, and a failure before the commit leaves neither (nothing to deliver, nothing
    delivered of an item that does not exist)."""
    from sqlalchemy import func, select

    from configledger.history.items import ConfigurationItem, ItemStatus, ResourceKey
    from configledger.store.items import Append, append_items
    from configledger.store.schema import configuration_items
    from configledger.store.schema import outbox as outbox_table

    database = backend.app.runtime.database
    key = ResourceKey(account, "us-east-1", "Outbox::Test::Thing", "thing-rolled-back")
    now = backend.app.runtime.clock.now_ms()
    item = ConfigurationItem(
        account_id=account, aws_region="us-east-1", resource_type=key.resource_type,
        resource_id=key.resource_id, capture_ms=now, state_id=now,
        status=ItemStatus.RESOURCE_DISCOVERED, configuration="{}",
    )  # fmt: skip

    def counts(conn: Any) -> tuple[int, int]:
        items = conn.execute(
            select(func.count()).where(configuration_items.c.account_id == account)
        ).scalar_one()
        events = conn.execute(
            select(func.count()).where(outbox_table.c.account_id == account)
        ).scalar_one()
        return int(items), int(events)

    class Crash(Exception):
        pass

    with pytest.raises(Crash), database.write() as conn:
        append_items(conn, [Append(key, item, None, custom=True)], now_ms=now)
        assert counts(conn) == (1, 1)  # written together, by the same transaction
        raise Crash
    with database.read() as conn:
        assert counts(conn) == (0, 0)

    with database.write() as conn:
        append_items(conn, [Append(key, item, None, custom=True)], now_ms=now)
    with database.read() as conn:
        assert counts(conn) == (1, 1)
