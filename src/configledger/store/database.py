"""Opening the store: engine, connection tuning, migrations, and the write discipline.

SQLite allows one writer at a time; rather than let threads collide and spin on
SQLITE_BUSY, writers take a process-wide lock, and readers run beside them under WAL.
PostgreSQL takes concurrent writers; there a per-resource lock (``resource_lock``)
keeps each resource's configurationStateId strictly increasing.
"""

from __future__ import annotations

import hashlib
import threading
import zlib
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config as AlembicConfig
from sqlalchemy import Connection, Engine, create_engine, event, func, make_url, select
from sqlalchemy.pool import NullPool

MIGRATIONS = Path(__file__).parent / "migrations"
_STRIPES = 256


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    # 16 KB pages double batched insert speed over 4 KB for ~2 KB items; it only takes
    # effect on a new database file, before the first table exists.
    cursor.execute("PRAGMA page_size=16384")
    cursor.execute("PRAGMA journal_mode=WAL")
    # WAL + NORMAL: a commit survives a process crash; only an OS crash can lose the
    # last transactions, never corrupt the file.
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA cache_size=-65536")
    cursor.close()


def partition_lock(conn: Connection, *parts: str) -> None:
    """Serialise, until ``conn``'s transaction ends, the writers that name the same
    ``parts`` (e.g. a purpose, an account and a region). SQLite already admits one
    writer at a time; PostgreSQL, at READ COMMITTED, takes a transaction-scoped advisory
    lock, which also holds between server processes sharing the database."""
    if conn.dialect.name != "postgresql":
        return
    digest = hashlib.blake2b("\x1f".join(parts).encode(), digest_size=8).digest()
    conn.execute(select(func.pg_advisory_xact_lock(int.from_bytes(digest, "big", signed=True))))


class Database:
    """The engine plus the locks that make concurrent writes safe on either backend."""

    def __init__(self, url: str) -> None:
        self.url = make_url(url)
        self.is_sqlite = self.url.get_backend_name() == "sqlite"
        if self.is_sqlite:
            # The sqlite3 module defaults to "deferred" transactions; SQLAlchemy then
            # issues BEGIN itself. One connection per thread, reused (QueuePool).
            self.engine: Engine = create_engine(
                self.url,
                connect_args={"check_same_thread": False, "timeout": 30},
                pool_size=16,
                max_overflow=16,
            )
            event.listen(self.engine, "connect", _sqlite_pragmas)
        else:
            self.engine = create_engine(self.url, pool_size=16, max_overflow=16, pool_pre_ping=True)
        self._write_lock: AbstractContextManager[Any] = (
            threading.Lock() if self.is_sqlite else nullcontext()
        )
        self._stripes = [threading.Lock() for _ in range(_STRIPES)]

    def migrate(self) -> None:
        """Bring the schema to the newest migration (idempotent)."""
        config = AlembicConfig()
        config.set_main_option("script_location", str(MIGRATIONS))
        with self.engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, "head")

    @contextmanager
    def write(self) -> Iterator[Connection]:
        """A write transaction: committed on success, rolled back on any exception."""
        with self._write_lock, self.engine.begin() as connection:
            if self.is_sqlite:
                # Take SQLite's write lock now, as BEGIN IMMEDIATE would: what this
                # transaction reads before its first write (the next item seq) then
                # cannot change under it, even from another process on the same file.
                connection.exec_driver_sql("UPDATE server_state SET value = value WHERE 0")
            yield connection

    @contextmanager
    def read(self) -> Iterator[Connection]:
        with self.engine.connect() as connection:
            yield connection

    def resource_lock(self, *key: str) -> threading.Lock:
        """The lock serialising writers of one resource (one of a fixed set of stripes)."""
        digest = zlib.crc32("\x1f".join(key).encode())
        return self._stripes[digest % _STRIPES]

    def dispose(self) -> None:
        self.engine.dispose()


def open_database(url: str, *, migrate: bool = True) -> Database:
    database = Database(url)
    if migrate:
        database.migrate()
    return database


def make_null_pool_engine(url: str) -> Engine:
    """An engine without pooling, for one-shot tools (bench loaders, admin commands)."""
    return create_engine(url, poolclass=NullPool)
