"""The advanced-query projection follows the outbox: nothing committed is missed, a replay
writes the same rows, and an item that commits late on PostgreSQL is not skipped."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select, update

from configledger.background import StepLoop
from configledger.history.items import ConfigurationItem, ItemStatus, ResourceKey
from configledger.history.recording import Observation, record, record_deletion
from configledger.query.projection import CONSUMER, QueryProjection, log
from configledger.store import outbox
from configledger.store.database import Database, open_database
from configledger.store.items import Append, append_items
from configledger.store.schema import outbox_cursors, query_resources
from tests.conftest import store_url

ACCOUNT, REGION, TYPE = "123456789012", "us-east-1", "Acme::Projection::Thing"


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    with store_url(request.param, tmp_path) as url:
        db = open_database(url)
        yield db
        db.dispose()


def _key(name: str) -> ResourceKey:
    return ResourceKey(ACCOUNT, REGION, TYPE, name)


def _record(database: Database, name: str, version: int, now_ms: int) -> None:
    observed = Observation(_key(name), json.dumps({"version": version}), tags={"v": str(version)})
    assert record(database, observed, now_ms=now_ms, custom=True) is not None


def _rows(database: Database) -> list[tuple[str, int]]:
    """(resource id, the configuration version its query row holds), by id."""
    with database.read() as conn:
        rows = conn.execute(
            select(query_resources.c.resource_id, query_resources.c.properties).order_by(
                query_resources.c.resource_id
            )
        ).all()
    out = []
    for resource_id, properties in rows:
        found = properties if isinstance(properties, dict) else json.loads(properties)
        out.append((resource_id, found["configuration.version"][0]))
    return out


def test_rows_follow_only_after_catching_up_and_hold_the_newest_item(database: Database) -> None:
    for version in range(3):
        _record(database, "a", version, 1_000 + version)
    _record(database, "b", 0, 2_000)
    _record(database, "gone", 0, 2_001)
    record_deletion(database, _key("gone"), now_ms=2_002)
    assert _rows(database) == []  # the append itself does not build query rows
    projection = QueryProjection(database)
    assert projection.catch_up() == 3  # a's newest, b, and gone's deletion
    assert _rows(database) == [("a", 2), ("b", 0)]
    assert projection.catch_up() == 0  # nothing new: nothing applied
    _record(database, "b", 1, 3_000)
    assert projection.catch_up() == 1
    assert _rows(database) == [("a", 2), ("b", 1)]


def test_a_replay_from_the_start_writes_the_same_rows(database: Database) -> None:
    """A crash before the cursor moved replays events: older items must not win."""
    for version in range(4):
        _record(database, "a", version, 1_000 + version)
        _record(database, "b", version, 1_100 + version)
    projection = QueryProjection(database)
    projection.catch_up()
    before = _rows(database)
    assert before == [("a", 3), ("b", 3)]
    with database.write() as conn:
        conn.execute(
            update(outbox_cursors).where(outbox_cursors.c.consumer == CONSUMER).values(last_seq=0)
        )
    assert projection.catch_up() == 2  # each resource's newest, once
    assert _rows(database) == before


def test_the_background_loop_applies_without_a_query(database: Database) -> None:
    loop = StepLoop("query", QueryProjection(database).step, poll=0.05, log=log)
    loop.start()
    try:
        _record(database, "a", 7, 1_000)
        loop.notify()
        deadline = time.monotonic() + 10
        while _rows(database) != [("a", 7)] and time.monotonic() < deadline:
            time.sleep(0.02)
        assert _rows(database) == [("a", 7)]
        with database.read() as conn:
            assert outbox.cursor(conn, CONSUMER) > 0
    finally:
        loop.stop()


def test_an_item_that_commits_late_is_applied_and_the_cursor_waits_for_it(
    database: Database,
) -> None:
    """PostgreSQL: an earlier outbox seq can commit after a later one. The later one is
    applied at once; the cursor does not pass the open one, which is applied on commit."""
    if database.is_sqlite:
        pytest.skip("SQLite has one writer: rows commit in sequence order")
    appended, release = threading.Event(), threading.Event()
    errors: list[BaseException] = []

    def slow_writer() -> None:
        try:
            item = ConfigurationItem(
                account_id=ACCOUNT,
                aws_region=REGION,
                resource_type=TYPE,
                resource_id="late",
                capture_ms=1_000,
                state_id=1_000,
                status=ItemStatus.RESOURCE_DISCOVERED,
                configuration=json.dumps({"version": 5}),
            )
            with database.write() as conn:
                append_items(conn, [Append(_key("late"), item, None)], now_ms=1_000)
                appended.set()
                release.wait(30)
        except BaseException as error:  # reported by the main thread
            errors.append(error)
            appended.set()

    writer = threading.Thread(target=slow_writer)
    writer.start()
    try:
        assert appended.wait(30)
        _record(database, "early", 1, 2_000)
        projection = QueryProjection(database)
        assert projection.catch_up() == 1
        assert _rows(database) == [("early", 1)]
        with database.read() as conn:
            assert outbox.cursor(conn, CONSUMER) == 0  # held before the open transaction
    finally:
        release.set()
        writer.join(30)
    assert not errors
    projection.catch_up()
    assert _rows(database) == [("early", 1), ("late", 5)]
    with database.read() as conn:
        newest = conn.execute(select(outbox_cursors.c.last_seq)).scalars().all()
    assert max(newest) >= 2
