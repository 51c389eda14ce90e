"""The advanced-query projection (``query_resources``), kept from the outbox.

Building an item's query row walks its whole configuration, which costs about as much as
appending the item; a sweep appends tens of thousands of items, so the row is not built
inside the append. It follows the outbox instead (consumer ``query``): a background loop
woken after each commit applies new items, and every query first catches up with what is
left, so a query sees every item committed before it started.

Applying an event writes the row of the resource's *current* newest item, or nothing if
a newer item exists (its own event follows): replaying a batch after a crash, or an event
that committed late, writes the same rows.

On PostgreSQL outbox rows may commit out of sequence order. Events beyond a gap are
applied at once (that is safe, see above); the cursor only moves over a gap once it has
stayed open ``GAP_GRACE`` seconds (a rolled-back transaction), so a late event is never
skipped.
"""

from __future__ import annotations

import logging
import threading
import time

from sqlalchemy import Connection, func, select

from configledger.store import outbox
from configledger.store import queries as store
from configledger.store.database import Database, partition_lock
from configledger.store.items import ITEM_RECORDED
from configledger.store.schema import outbox as outbox_table

log = logging.getLogger("configledger.query")

CONSUMER = "query"
GAP_GRACE = 10.0
BATCH = 5000


def mark_current(conn: Connection) -> None:
    """Record that ``query_resources`` reflects every event so far (after a bulk build)."""
    newest = conn.execute(select(func.coalesce(func.max(outbox_table.c.seq), 0))).scalar_one()
    outbox.advance(conn, CONSUMER, int(newest))


class QueryProjection:
    """The consumer: ``catch_up`` from a query, ``step`` in a server's background loop."""

    def __init__(self, database: Database) -> None:
        self.database = database
        self._lock = threading.Lock()
        self._gaps: dict[int, float] = {}

    def catch_up(self) -> int:
        """Apply every committed item event not applied yet; returns how many items."""
        with self.database.read() as conn:
            done = outbox.cursor(conn, CONSUMER)
            newest = conn.execute(select(func.max(outbox_table.c.seq))).scalar()
        if newest is None or int(newest) <= done:
            return 0
        applied = 0
        with self._lock:
            after = None
            while True:
                with self.database.write() as conn:
                    partition_lock(conn, "outbox-consumer", CONSUMER)
                    cursor = outbox.cursor(conn, CONSUMER)
                    events = outbox.read_after(conn, after if after is not None else cursor, BATCH)
                    if not events:
                        break
                    seqs = [e.subject_seq for e in events if e.topic == ITEM_RECORDED]
                    applied += store.sync_items(conn, [s for s in seqs if s is not None])
                    after = events[-1].seq
                    moved = self._contiguous_end(cursor, [e.seq for e in events])
                    if moved > cursor:
                        outbox.advance(conn, CONSUMER, moved)
                if len(events) < BATCH:
                    break
        return applied

    def _contiguous_end(self, cursor: int, seqs: list[int]) -> int:
        """How far the cursor may move over ``seqs`` (read after ``cursor``, in order)."""
        if self.database.is_sqlite:  # one writer: rows commit in sequence order
            return seqs[-1]
        expected, end, now = cursor + 1, cursor, time.monotonic()
        for seq in seqs:
            if seq != expected:
                opened = self._gaps.setdefault(expected, now)
                if now - opened < GAP_GRACE:
                    break
                self._gaps.pop(expected, None)
            end, expected = seq, seq + 1
        return end

    def step(self) -> bool:
        """The background loop's step (configledger.background): one catch-up, which
        leaves nothing behind, so the loop waits for the next commit."""
        self.catch_up()
        return False
