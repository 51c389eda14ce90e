"""The contract of ``visible_partitions``, which every aggregate read (inventory here, advanced
query and compliance later) relies on: on a real store of each kind, written through the
store's own functions, the partitions an aggregator may see are exactly its own account's
requested regions plus the source regions that authorized its account and region."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from configledger.aggregation.pending import pending_requests
from configledger.aggregation.regions import partition_regions
from configledger.aggregation.scope import find_aggregator, source_statuses, visible_partitions
from configledger.errors import NoSuchConfigurationAggregatorException
from configledger.store import aggregators as store
from configledger.store.aggregators import Aggregator, Authorization
from configledger.store.database import Database, open_database
from tests.conftest import store_url

HUB, B, C = "111111111111", "222222222222", "333333333333"
R1, R2, R3 = "us-east-1", "eu-west-1", "ap-south-1"


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    with store_url(request.param, tmp_path) as url:
        database = open_database(url)
        yield database
        database.dispose()


def aggregator(*sources: str, regions: tuple[str, ...] = (), updated_ms: int = 1000) -> Aggregator:
    return Aggregator(
        account_id=HUB,
        region=R1,
        name="all",
        arn=f"arn:aws:config:{R1}:{HUB}:config-aggregator/config-aggregator-abcdefgh",
        source_accounts=sources,
        all_regions=not regions,
        regions=regions,
        filters=None,
        created_ms=1000,
        updated_ms=updated_ms,
    )


def authorize(database: Database, source: str, region: str, to_region: str = R1) -> None:
    with database.write() as conn:
        store.insert_authorization(
            conn,
            Authorization(
                source,
                region,
                HUB,
                to_region,
                f"arn:aws:config:{region}:{source}:aggregation-authorization/{HUB}/{to_region}",
                2000,
            ),
        )


def save(database: Database, agg: Aggregator, *, exists: bool = False) -> None:
    with database.write() as conn:
        store.save_aggregator(conn, agg, exists=exists)


def test_listed_regions(database: Database) -> None:
    save(database, aggregator(HUB, B, C, regions=(R1, R2)))
    authorize(database, B, R1)
    authorize(database, B, R3)  # not a region the aggregator asks for
    authorize(database, C, R2, to_region=R2)  # admits another aggregator region
    with database.read() as conn:
        agg = find_aggregator(conn, HUB, R1, "all")
        assert visible_partitions(conn, agg) == sorted([(HUB, R1), (HUB, R2), (B, R1)])
        statuses = list(source_statuses(conn, agg))
        assert [(s.account_id, s.region, s.authorized) for s in statuses] == [
            (HUB, R2, True),
            (HUB, R1, True),
            (B, R2, False),
            (B, R1, True),
            (C, R2, False),
            (C, R1, False),
        ]
        # An authorization's time shows in the status it made succeed.
        assert [s.updated_ms for s in statuses if s.account_id == B] == [1000, 2000]
        # Lazy paging from a cursor.
        assert [(s.account_id, s.region) for s in source_statuses(conn, agg, after=(B, R2))] == [
            (B, R1),
            (C, R2),
            (C, R1),
        ]
        # What the sources see: requests where they have not authorized.
        assert pending_requests(conn, B, R2) == [(HUB, R1)]
        assert pending_requests(conn, B, R1) == []
        assert pending_requests(conn, B, R3) == []  # not asked there
        assert pending_requests(conn, HUB, R1) == []  # the aggregator's own account


def test_all_regions(database: Database) -> None:
    save(database, aggregator(B, C))  # the hub itself is not a source
    authorize(database, B, R3)
    authorize(database, C, R2)
    with database.read() as conn:
        agg = find_aggregator(conn, HUB, R1, "all")
        assert visible_partitions(conn, agg) == [(B, R3), (C, R2)]
        regions = partition_regions(R1)
        assert len(list(source_statuses(conn, agg))) == 2 * len(regions)
        assert pending_requests(conn, B, R2) == [(HUB, R1)]
    save(database, aggregator(HUB, B, C, updated_ms=3000), exists=True)
    with database.read() as conn:
        agg = find_aggregator(conn, HUB, R1, "all")
        assert visible_partitions(conn, agg) == sorted(
            [(HUB, region) for region in regions] + [(B, R3), (C, R2)]
        )


def test_a_deleted_request_returns_with_a_later_put(database: Database) -> None:
    save(database, aggregator(B, regions=(R1,), updated_ms=1000))
    with database.write() as conn:
        store.dismiss_request(conn, B, R1, HUB, R1, now_ms=1500)
    with database.read() as conn:
        assert pending_requests(conn, B, R1) == []
    save(database, aggregator(B, regions=(R1,), updated_ms=2000), exists=True)
    with database.read() as conn:
        assert pending_requests(conn, B, R1) == [(HUB, R1)]


def test_an_unknown_aggregator(database: Database) -> None:
    with database.read() as conn, pytest.raises(NoSuchConfigurationAggregatorException):
        find_aggregator(conn, HUB, R1, "all")
