"""GetResourceConfigHistory latency over HTTP on a store of 1,000,000 configuration items.

    .venv/bin/python bench/history_latency.py                      # SQLite, then PostgreSQL
    .venv/bin/python bench/history_latency.py --db sqlite --items 100000 --calls 500
    .venv/bin/python bench/history_latency.py --db postgresql --pg-load executemany --keep

The store is generated directly (not through the API) with ConfigLedger's own schema and
migrations (``open_database``) and its own stored form (``ConfigurationItem.to_record``):
``--items`` items, ``--per-resource`` per resource, spread over ``--accounts`` accounts and
three resource types, written in time order (round r writes item r of every resource, in
a shuffled order), so a resource's items lie far apart in the table as they would after
months of recording. The ``resources`` projection points at each resource's newest item.

Then a server runs on that store and one boto3 client calls GetResourceConfigHistory at
random resources: pass 1, limit 10, default (reverse) order; pass 2, a first page of
limit 5, the nextToken page after it, and a Forward page of limit 10. The no-op
DescribeRetentionConfigurations gives the floor of boto3 + HTTP on this machine.

Target (the issue): p99 < 20 ms for GetResourceConfigHistory at 1,000,000 items.
"""

from __future__ import annotations

import argparse
import random
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson
from sqlalchemy import Connection, event, insert, text

from _harness import (
    PG_ADMIN_URL,
    CpuWatch,
    ServerProcess,
    config_client,
    drop_postgres_schema,
    fresh_postgres_url,
    machine_line,
    percentile,
    postgres_available,
    schema_of,
)
from configledger.history.items import ConfigurationItem, ItemStatus
from configledger.store.database import Database, open_database
from configledger.store.schema import configuration_items, resources

REGION = "us-east-1"
TARGET_P99_MS = 20.0
HOUR_MS = 3_600_000
# (type, id pattern, custom): the three kinds of resources the store holds.
KINDS = (
    ("AWS::EC2::SecurityGroup", "sg-{:017x}", False),
    ("AWS::S3::Bucket", "bench-bucket-{:08d}", False),
    ("ConfigLedger::Bench::Widget", "widget-{:08d}", True),
)
ITEM_COLUMNS = (
    "seq",
    "account_id",
    "region",
    "resource_type",
    "resource_id",
    "state_id",
    "status",
    "document",
)


# -- the generated store ------------------------------------------------------------------


@dataclass(frozen=True)
class Layout:
    """Which resource is where: resource r lives in account r % accounts and is of kind
    (r // accounts) % 3; its item k (0-based) has state id base + k hours + 10 ms x its
    position in round k's shuffled order."""

    items: int
    per_resource: int
    accounts: tuple[str, ...]
    config_bytes: int
    base_ms: int
    seed: int

    @property
    def resource_count(self) -> int:
        return self.items // self.per_resource

    def account(self, r: int) -> str:
        return self.accounts[r % len(self.accounts)]

    def kind(self, r: int) -> tuple[str, str, bool]:
        return KINDS[(r // len(self.accounts)) % len(KINDS)]

    def resource_type(self, r: int) -> str:
        return self.kind(r)[0]

    def resource_id(self, r: int) -> str:
        return self.kind(r)[1].format(r)


def _configuration(resource_id: str, version: int, size: int) -> str:
    document: dict[str, Any] = {
        "id": resource_id,
        "version": version,
        "state": "available",
        "owner": "platform-team",
        "rules": [{"port": 443 + version, "cidr": "10.0.0.0/16"}],
        "padding": "",
    }
    base = len(orjson.dumps(document))
    document["padding"] = "p" * max(0, size - base)
    return orjson.dumps(document).decode()


def _item_rows(
    layout: Layout, last_seq: list[int], first_state: list[int], last_state: list[int]
) -> Iterator[tuple[Any, ...]]:
    """Every item row in time order; fills the projection arrays on the way."""
    rng = random.Random(layout.seed)
    order = list(range(layout.resource_count))
    seq = 0
    for version in range(layout.per_resource):
        rng.shuffle(order)
        status = ItemStatus.RESOURCE_DISCOVERED if version == 0 else ItemStatus.OK
        for position, r in enumerate(order):
            seq += 1
            state_id = layout.base_ms + version * HOUR_MS + position * 10
            resource_type, id_pattern, _custom = layout.kind(r)
            resource_id = id_pattern.format(r)
            account = layout.account(r)
            item = ConfigurationItem(
                account_id=account,
                aws_region=REGION,
                resource_type=resource_type,
                resource_id=resource_id,
                capture_ms=state_id,
                state_id=state_id,
                status=status,
                configuration=_configuration(resource_id, version, layout.config_bytes),
                resource_name=resource_id,
                arn=f"arn:aws:bench:{REGION}:{account}:{resource_id}",
                resource_creation_ms=layout.base_ms,
                tags={"env": "bench"},
            )
            if version == 0:
                first_state[r] = state_id
            last_seq[r], last_state[r] = seq, state_id
            yield (
                seq,
                account,
                REGION,
                resource_type,
                resource_id,
                state_id,
                status.value,
                item.to_record(),
            )


def _resource_rows(
    layout: Layout, last_seq: list[int], first_state: list[int], last_state: list[int]
) -> Iterator[tuple[Any, ...]]:
    status = ItemStatus.RESOURCE_DISCOVERED if layout.per_resource == 1 else ItemStatus.OK
    for r in range(layout.resource_count):
        resource_type, id_pattern, custom = layout.kind(r)
        resource_id = id_pattern.format(r)
        yield (
            layout.account(r),
            REGION,
            resource_type,
            resource_id,
            resource_id,
            status.value,
            last_seq[r],
            last_state[r],
            first_state[r],
            None,
            custom,
        )


RESOURCE_COLUMNS = (
    "account_id",
    "region",
    "resource_type",
    "resource_id",
    "resource_name",
    "status",
    "item_seq",
    "state_id",
    "first_state_id",
    "deleted_ms",
    "custom",
)


def _batches(rows: Iterator[tuple[Any, ...]], size: int) -> Iterator[list[tuple[Any, ...]]]:
    batch: list[tuple[Any, ...]] = []
    for row in rows:
        batch.append(row)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


Writer = Callable[[Database, str, tuple[str, ...], list[tuple[Any, ...]]], None]


def _write_executemany(
    database: Database, table: str, columns: tuple[str, ...], batch: list[tuple[Any, ...]]
) -> None:
    target = {"configuration_items": configuration_items, "resources": resources}[table]
    with database.engine.begin() as conn:
        conn.execute(insert(target), [dict(zip(columns, row, strict=True)) for row in batch])


def _write_copy(
    database: Database, table: str, columns: tuple[str, ...], batch: list[tuple[Any, ...]]
) -> None:
    raw = database.engine.raw_connection()
    try:
        driver: Any = raw.driver_connection
        with driver.cursor() as cursor:
            statement = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
            with cursor.copy(statement) as copy:
                for row in batch:
                    copy.write_row(row)
        raw.commit()
    finally:
        raw.close()


@dataclass
class LoadResult:
    items_seconds: float
    resources_seconds: float
    finish_seconds: float
    store_bytes: int


def load(database: Database, layout: Layout, *, batch_size: int, writer: Writer) -> LoadResult:
    n = layout.resource_count
    last_seq, first_state, last_state = [0] * n, [0] * n, [0] * n
    if database.is_sqlite:
        # A 1 GB page cache for the loader's connections only (the server keeps its own).
        event.listen(database.engine, "connect", _big_sqlite_cache)
        database.engine.dispose()  # connections made from now on get it

    t0 = time.perf_counter()
    done = 0
    report_every = max(1, layout.items // 10)
    for batch in _batches(_item_rows(layout, last_seq, first_state, last_state), batch_size):
        writer(database, "configuration_items", ITEM_COLUMNS, batch)
        before, done = done, done + len(batch)
        if done // report_every != before // report_every:
            rate = done / (time.perf_counter() - t0)
            print(f"    {done:>10,} items  {rate:>9,.0f} rows/s", flush=True)
    t1 = time.perf_counter()
    for batch in _batches(_resource_rows(layout, last_seq, first_state, last_state), batch_size):
        writer(database, "resources", RESOURCE_COLUMNS, batch)
    t2 = time.perf_counter()
    with database.engine.begin() as conn:
        if database.is_sqlite:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        else:
            # Explicit seqs bypass the sequence: move it past them, as the server appends.
            conn.execute(
                text(
                    "SELECT setval(pg_get_serial_sequence('configuration_items', 'seq'), "
                    "(SELECT max(seq) FROM configuration_items))"
                )
            )
    if not database.is_sqlite:
        # What autovacuum does shortly after a bulk load; done now so the plan is settled.
        with database.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM ANALYZE configuration_items")
            conn.exec_driver_sql("VACUUM ANALYZE resources")
    t3 = time.perf_counter()
    return LoadResult(t1 - t0, t2 - t1, t3 - t2, _store_bytes(database))


def _big_sqlite_cache(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.execute("PRAGMA cache_size=-1048576")


def _store_bytes(database: Database) -> int:
    if database.is_sqlite:
        path = Path(str(database.url.database))
        return sum(p.stat().st_size for p in path.parent.glob(path.name + "*"))
    with database.engine.connect() as conn:
        return int(
            conn.execute(
                text(
                    "SELECT sum(pg_total_relation_size(c.oid)) FROM pg_class c "
                    "JOIN pg_namespace n ON n.oid = c.relnamespace "
                    "WHERE n.nspname = current_schema() AND c.relkind = 'r'"
                )
            ).scalar_one()
        )


def explain_history(database: Database, layout: Layout) -> str:
    """The plan of the query behind a history page, for the record."""
    r = layout.resource_count // 2
    params = {
        "a": layout.account(r),
        "g": REGION,
        "t": layout.resource_type(r),
        "i": layout.resource_id(r),
        "lo": 0,
        "hi": 2**62,
    }
    sql = (
        "SELECT document FROM configuration_items WHERE account_id = :a AND region = :g "
        "AND resource_type = :t AND resource_id = :i AND state_id >= :lo AND state_id <= :hi "
        "ORDER BY state_id DESC LIMIT 11"
    )
    prefix = "EXPLAIN QUERY PLAN " if database.is_sqlite else "EXPLAIN "
    with database.engine.connect() as conn:
        rows = _explain(conn, prefix + sql, params)
    return "\n".join("      " + line for line in rows)


def _explain(conn: Connection, sql: str, params: dict[str, Any]) -> list[str]:
    return [" ".join(str(x) for x in row) for row in conn.execute(text(sql), params)]


# -- measuring ------------------------------------------------------------------------------


@dataclass
class Series:
    """The latencies of one kind of call, one list per repeat."""

    name: str
    repeats: list[list[float]]
    is_history: bool = True

    @property
    def count(self) -> int:
        return sum(len(r) for r in self.repeats)

    def p(self, fraction: float) -> float:
        """The median over repeats of each repeat's percentile."""
        return statistics.median(percentile(sorted(r), fraction) for r in self.repeats if r)

    @property
    def worst(self) -> float:
        return max(max(r) for r in self.repeats if r)

    @property
    def passed(self) -> bool:
        return self.p(0.99) < TARGET_P99_MS


def measure(
    server: ServerProcess,
    layout: Layout,
    *,
    calls: int,
    repeats: int,
    warmup: int,
    seed: int,
) -> list[Series]:
    """``repeats`` x ``calls`` of each kind of call, interleaved call by call (so load from
    outside hits every series alike), each kind at its own random resources."""
    rng = random.Random(seed)
    clients = {account: config_client(server.url, account) for account in layout.accounts}
    n = layout.resource_count

    def pick(count: int) -> list[int]:
        return rng.sample(range(n), count) if count <= n else rng.choices(range(n), k=count)

    def history(r: int, **extra: Any) -> dict[str, Any]:
        answer: dict[str, Any] = clients[layout.account(r)].get_resource_config_history(
            resourceType=layout.resource_type(r), resourceId=layout.resource_id(r), **extra
        )
        return answer

    def timed(series: Series, call: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        t0 = time.perf_counter()
        answer = call(*args, **kwargs)
        series.repeats[-1].append((time.perf_counter() - t0) * 1000)
        return answer

    def check(r: int, answer: dict[str, Any], expected: int) -> None:
        if len(answer["configurationItems"]) != expected:
            raise AssertionError(f"resource {r}: {len(answer['configurationItems'])} items")

    for r in pick(warmup):  # connections, caches, the first-call costs of boto3
        history(r, limit=10)

    reverse = Series("history, reverse, limit 10", [])
    first = Series("history, reverse, limit 5, page 1", [])
    token_page = Series("history, reverse, limit 5, nextToken page", [])
    forward = Series("history, Forward, limit 10", [])
    noop = Series("no-op DescribeRetentionConfigurations", [], is_history=False)
    everything = (reverse, first, token_page, forward, noop)
    full, page = min(10, layout.per_resource), min(5, layout.per_resource)
    noop_client = clients[layout.accounts[0]]
    for _ in range(repeats):
        for series in everything:
            series.repeats.append([])
        picked = pick(3 * calls)
        for i in range(calls):
            a, b, c = picked[i], picked[calls + i], picked[2 * calls + i]
            check(a, timed(reverse, history, a, limit=10), full)
            answer = timed(first, history, b, limit=5)
            check(b, answer, page)
            if answer.get("nextToken"):
                answer = timed(token_page, history, b, limit=5, nextToken=answer["nextToken"])
                check(b, answer, min(5, layout.per_resource - 5))
            check(c, timed(forward, history, c, limit=10, chronologicalOrder="Forward"), full)
            timed(noop, noop_client.describe_retention_configurations)
    return [s for s in everything if s.count]


# -- one backend ----------------------------------------------------------------------------


def run_backend(backend: str, args: argparse.Namespace) -> bool | None:
    print(f"\n=== {backend}: {args.items:,} items ===", flush=True)
    tmpdir: str | None = None
    if backend == "sqlite":
        tmpdir = tempfile.mkdtemp(prefix="configledger-history-", dir=args.tmp)
        need = args.items * (args.config_bytes + 900)
        free = shutil.disk_usage(tmpdir).free
        if free < need:
            print(
                f"  not enough space in {tmpdir}: {free / 1e9:.1f} GB free, "
                f"~{need / 1e9:.1f} GB needed"
            )
            shutil.rmtree(tmpdir, ignore_errors=True)
            return None
        url = f"sqlite:///{Path(tmpdir) / 'configledger.db'}"
        where = f"SQLite file {Path(tmpdir) / 'configledger.db'}"
    else:
        if not postgres_available():
            print(f"  PostgreSQL not reachable at {PG_ADMIN_URL}: skipped")
            return None
        url = fresh_postgres_url("cl_bench_hist")
        where = f"PostgreSQL schema {schema_of(url)}"
    print(f"  store: {where}", flush=True)

    try:
        database = open_database(url)  # the server's own migrations build the schema
        layout = Layout(
            items=args.items,
            per_resource=args.per_resource,
            accounts=tuple(str(100_000_000_001 + i) for i in range(args.accounts)),
            config_bytes=args.config_bytes,
            base_ms=int(time.time() * 1000) - (args.per_resource + 1) * HOUR_MS,
            seed=args.seed,
        )
        use_copy = backend == "postgresql" and args.pg_load == "copy"
        method = "psycopg COPY" if use_copy else "SQLAlchemy Core executemany"
        print(
            f"  loading {layout.items:,} items = {layout.resource_count:,} resources x "
            f"{layout.per_resource}, {len(layout.accounts)} accounts, {method}, "
            f"{args.batch:,} rows per transaction",
            flush=True,
        )
        loaded = load(
            database,
            layout,
            batch_size=args.batch,
            writer=_write_copy if use_copy else _write_executemany,
        )
        plan = explain_history(database, layout)
        database.dispose()
        print(
            f"  load: items {layout.items / loaded.items_seconds:,.0f} rows/s "
            f"({loaded.items_seconds:.1f} s); resources "
            f"{layout.resource_count / loaded.resources_seconds:,.0f} rows/s "
            f"({loaded.resources_seconds:.1f} s); checkpoint/analyze {loaded.finish_seconds:.1f} s;"
            f" store {loaded.store_bytes / 1e6:,.0f} MB"
        )
        print(f"  history page query plan:\n{plan}", flush=True)

        with ServerProcess(url, start_timeout=120) as server:
            watch = CpuWatch(server, postgres=backend == "postgresql")
            series = measure(
                server,
                layout,
                calls=args.calls,
                repeats=args.repeats,
                warmup=args.warmup,
                seed=args.seed,
            )
            cpu = watch.stop()
        print(
            f"  {args.repeats} x {args.calls:,} calls of each kind at random resources (each "
            f"kind its own), interleaved call by call, one client thread, {args.warmup} "
            "warm-up calls first; percentiles are the median over repeats, max over all"
        )
        print("  " + cpu.replace("\n", "\n  "))
        print()
        header = f"  {'call':<42} {'n':>6} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'max ms':>8}"
        print(header)
        print("  " + "-" * (len(header) - 2))
        for s in series:
            verdict = ("PASS" if s.passed else "FAIL") if s.is_history else "(floor)"
            print(
                f"  {s.name:<42} {s.count:>6} {s.p(0.50):>8.2f} {s.p(0.95):>8.2f} "
                f"{s.p(0.99):>8.2f} {s.worst:>8.2f}  {verdict}"
            )
        passed = all(s.passed for s in series if s.is_history)
        print()
        print(
            f"  {'PASS' if passed else 'FAIL'} ({backend}): GetResourceConfigHistory p99 < "
            f"{TARGET_P99_MS:g} ms at {args.items:,} items"
        )
        return passed
    finally:
        if args.keep:
            print(f"  kept the store: {url}")
        elif tmpdir is not None:
            shutil.rmtree(tmpdir, ignore_errors=True)
        else:
            drop_postgres_schema(url)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--items", type=int, default=1_000_000)
    parser.add_argument("--per-resource", type=int, default=10, help="items per resource")
    parser.add_argument("--accounts", type=int, default=4)
    parser.add_argument("--config-bytes", type=int, default=300, help="configuration size")
    parser.add_argument("--batch", type=int, default=5_000, help="rows per transaction")
    parser.add_argument(
        "--pg-load",
        choices=["copy", "executemany"],
        default="copy",
        help="how PostgreSQL is loaded (default copy)",
    )
    parser.add_argument("--calls", type=int, default=2_000, help="measured calls of each kind")
    parser.add_argument("--repeats", type=int, default=1, help="repeat the measurement")
    parser.add_argument("--warmup", type=int, default=200)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--tmp", default=None, help="directory for the SQLite store")
    parser.add_argument("--keep", action="store_true", help="keep the generated store(s)")
    args = parser.parse_args()
    if args.items < args.per_resource:
        parser.error("--items must be at least --per-resource")

    print("ConfigLedger GetResourceConfigHistory latency benchmark")
    print(machine_line())
    print(
        "Latency is measured in the client (boto3 over HTTP on loopback, one thread), so it "
        "includes boto3's signing and parsing; the no-op row shows that floor."
    )
    backends = ["sqlite", "postgresql"] if args.db == "both" else [args.db]
    results = {backend: run_backend(backend, args) for backend in backends}
    print()
    for backend, result in results.items():
        verdict = "skipped" if result is None else ("PASS" if result else "FAIL")
        print(f"{backend:<11} {verdict}")
    return 0 if all(r is not False for r in results.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
