"""Every recorded item leaves exactly one outbox event, committed with it, on both stores."""

from __future__ import annotations

import json

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
