"""A sweep's batch write (``history.reconcile``): items, projection and outbox rows in
one transaction, the same whatever the batch size, on both stores.

Large sweeps take other paths than small ones (the inverse edges of a sweep naming more
than ``_INVERSE_SCAN_FROM`` resources are read with one scan of the partition), so every
check runs on a sweep below that size and on one above it.
"""

from __future__ import annotations

import gc
import json

import pytest
from sqlalchemy.exc import IntegrityError

from configledger.history.items import ConfigurationItem, ItemStatus, Relationship, ResourceKey
from configledger.history.reconcile import _INVERSE_SCAN_FROM, Listed, Listing, reconcile
from configledger.store import items as item_store
from configledger.store import outbox
from configledger.store.database import Database
from configledger.store.items import ITEM_RECORDED
from tests.conftest import REGION, LiveServer, new_account

VOLUME = "Test::Sweep::Volume"
ATTACHMENT = "Test::Sweep::Attachment"
ATTACHED_TO = "Is attached to Volume"
HAS = "Is associated with Attachment"
NOW = 1_700_000_000_000
VOLUMES = 7


def _attachment(i: int, version: int = 0) -> Listed:
    return Listed(
        f"att-{i:05d}",
        json.dumps({"index": i, "version": version, "pad": "x" * 200}),
        resource_name=f"attachment {i}",
        tags={"n": str(i)},
        forward=((Relationship(VOLUME, ATTACHED_TO, f"vol-{i % VOLUMES}"), HAS),),
    )


def _listings(attachments: list[Listed]) -> list[Listing]:
    volumes = [Listed(f"vol-{v}", json.dumps({"size": v})) for v in range(VOLUMES)]
    return [Listing(VOLUME, volumes, complete=True), Listing(ATTACHMENT, attachments, True)]


def _current(
    database: Database, account: str, keys: list[tuple[str, str]]
) -> dict[str, ConfigurationItem]:
    with database.read() as conn:
        items = item_store.current_items(conn, account, REGION, keys)
    return {item.resource_id: item for item in items}


def _events(database: Database, account: str) -> list[outbox.OutboxEvent]:
    with database.read() as conn:
        return [
            e
            for e in outbox.read_batch(conn, f"sweep-test-{account}", limit=10**7)
            if e.account_id == account and e.topic == ITEM_RECORDED
        ]


def _inverse_of(volume: int, attachments: list[int]) -> tuple[Relationship, ...]:
    return tuple(
        Relationship(ATTACHMENT, HAS, f"att-{i:05d}") for i in attachments if i % VOLUMES == volume
    )


@pytest.mark.parametrize("count", [40, _INVERSE_SCAN_FROM + 200])
def test_a_first_inventory_records_every_resource_with_both_sides_of_its_edges(
    backend: LiveServer, count: int
) -> None:
    database = backend.app.runtime.database
    account = new_account()
    outcomes = reconcile(
        database, account, REGION, _listings([_attachment(i) for i in range(count)]), now_ms=NOW
    )
    assert (outcomes[VOLUME].discovered, outcomes[ATTACHMENT].discovered) == (VOLUMES, count)

    keys = [(ATTACHMENT, f"att-{i:05d}") for i in range(count)]
    keys += [(VOLUME, f"vol-{v}") for v in range(VOLUMES)]
    current = _current(database, account, keys)
    assert len(current) == count + VOLUMES
    first = current["att-00003"]
    assert first.status is ItemStatus.RESOURCE_DISCOVERED
    assert (first.state_id, first.capture_ms) == (NOW, NOW)
    assert first.resource_name == "attachment 3"
    assert first.tags == {"n": "3"}
    assert json.loads(first.configuration or "")["index"] == 3
    assert first.relationships == (Relationship(VOLUME, ATTACHED_TO, "vol-3"),)
    for v in range(VOLUMES):  # every attachment shows on its volume's item
        assert current[f"vol-{v}"].relationships == _inverse_of(v, list(range(count)))

    # One outbox event per item, about that item, pointing at no earlier item.
    events = _events(database, account)
    assert len(events) == count + VOLUMES
    with database.read() as conn:
        for event in events[:: max(1, count // 50)]:
            item = item_store.load_item(conn, event.subject_seq or 0)
            assert event.payload == {
                "resourceType": item.resource_type,
                "resourceId": item.resource_id,
                "configurationItemStatus": "ResourceDiscovered",
                "configurationStateId": NOW,
                "previousItemSeq": None,
            }


@pytest.mark.parametrize("count", [40, _INVERSE_SCAN_FROM + 200])
def test_the_next_sweep_records_only_changes_and_deletions(backend: LiveServer, count: int) -> None:
    database = backend.app.runtime.database
    account = new_account()
    reconcile(
        database, account, REGION, _listings([_attachment(i) for i in range(count)]), now_ms=NOW
    )
    first_events = _events(database, account)
    seq_of = {e.payload["resourceId"]: e.subject_seq for e in first_events}

    # Every third attachment changes; the last one is gone; the rest are listed as they
    # were (the same JSON with other key order and spacing is no change either).
    later = NOW + 60_000
    second = []
    for i in range(count - 1):
        if i % 3 == 0:
            second.append(_attachment(i, version=1))
        else:
            same = _attachment(i)
            reordered = json.dumps(dict(reversed(json.loads(same.configuration).items())))
            second.append(
                Listed(
                    same.resource_id,
                    reordered,
                    same.resource_name,
                    tags=same.tags,
                    forward=same.forward,
                )
            )
    outcomes = reconcile(database, account, REGION, _listings(second), now_ms=later)
    changed = len(range(0, count - 1, 3))
    gone = count - 1
    assert (outcomes[ATTACHMENT].changed, outcomes[ATTACHMENT].deleted) == (changed, 1)
    # The volume of the deleted attachment loses an inverse edge: a new item for it only.
    assert (outcomes[VOLUME].changed, outcomes[VOLUME].discovered) == (1, 0)
    assert outcomes[VOLUME].items[0].resource_id == f"vol-{gone % VOLUMES}"

    current = _current(database, account, [(ATTACHMENT, "att-00003"), (ATTACHMENT, "att-00004")])
    assert current["att-00003"].status is ItemStatus.OK
    assert current["att-00003"].state_id == later
    assert json.loads(current["att-00003"].configuration or "")["version"] == 1
    assert current["att-00004"].state_id == NOW  # unchanged: still the first item
    volume = _current(database, account, [(VOLUME, f"vol-{gone % VOLUMES}")])
    assert volume[f"vol-{gone % VOLUMES}"].relationships == _inverse_of(
        gone % VOLUMES, list(range(count - 1))
    )
    with database.read() as conn:
        deleted = item_store.resource_state(
            conn, ResourceKey(account, REGION, ATTACHMENT, f"att-{gone:05d}")
        )
    assert deleted is not None and deleted.deleted_ms == later

    events = _events(database, account)[len(first_events) :]
    assert len(events) == changed + 1 + 1  # changes, the deletion, the volume
    by_id = {e.payload["resourceId"]: e.payload for e in events}
    assert by_id["att-00003"]["configurationItemStatus"] == "OK"
    assert by_id["att-00003"]["previousItemSeq"] == seq_of["att-00003"]
    assert by_id[f"att-{gone:05d}"]["configurationItemStatus"] == "ResourceDeleted"
    assert "att-00004" not in by_id


def test_a_failed_batch_writes_nothing_and_leaves_the_collector_on(backend: LiveServer) -> None:
    """The same resource listed twice cannot get two items with one configurationStateId:
    the whole sweep is rolled back, and the garbage collector held off while the batch
    was built is switched back on."""
    database = backend.app.runtime.database
    account = new_account()
    attachments = [_attachment(i) for i in range(30)] + [_attachment(5)]
    assert gc.isenabled()
    with pytest.raises(IntegrityError, match=r"(?i)unique|duplicate"):
        reconcile(database, account, REGION, _listings(attachments), now_ms=NOW)
    assert gc.isenabled()
    assert _events(database, account) == []
    assert _current(database, account, [(ATTACHMENT, "att-00001"), (VOLUME, "vol-1")]) == {}
    with database.read() as conn:
        assert item_store.resource_counts(conn, account, REGION, None) == []
