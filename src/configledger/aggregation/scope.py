"""Which (account, region) partitions an aggregator may see.

Every aggregate read goes through ``visible_partitions``: the inventory reads here
(ListAggregateDiscoveredResources, GetAggregateResourceConfig, BatchGet..., counts), and
any later one (SelectAggregateResourceConfig, the aggregate compliance operations) by
calling it with the aggregator ``find_aggregator`` returned and reading only the
partitions it gives back. ``in_scope`` applies the aggregator's resource-type filter.

The rule, AWS's: an aggregator of account A in region R sees source account S in region r
when S is one of its source accounts, r one of its regions (any, with AllAwsRegions), and
either S is A (an account needs no authorization to aggregate itself) or S granted (A, R)
an aggregation authorization in region r. Revoking the authorization hides the partition
at once: nothing is copied, so nothing goes stale.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterator
from dataclasses import dataclass

from sqlalchemy import Connection

from configledger.aggregation.regions import partition_regions
from configledger.errors import NoSuchConfigurationAggregatorException
from configledger.store import aggregators as store
from configledger.store.aggregators import Aggregator, Partition


def no_such_aggregator(several: bool = False) -> NoSuchConfigurationAggregatorException:
    if several:
        return NoSuchConfigurationAggregatorException(
            "At least one of the configuration aggregators does not exist. Check the "
            "configuration aggregator names and try again."
        )
    return NoSuchConfigurationAggregatorException(
        "The configuration aggregator does not exist. Check the configuration aggregator "
        "name and try again."
    )


def find_aggregator(conn: Connection, account_id: str, region: str, name: str) -> Aggregator:
    """The caller's aggregator ``name``, or AWS's NoSuchConfigurationAggregatorException."""
    aggregator = store.get_aggregator(conn, account_id, region, name)
    if aggregator is None:
        raise no_such_aggregator()
    return aggregator


@dataclass(frozen=True, slots=True)
class SourceStatus:
    """One (source account, region) of an aggregator: whether it may be read, and since
    when that was last decided (the aggregator's update or the authorization, the later)."""

    account_id: str
    region: str
    authorized: bool
    updated_ms: int


def requested_regions(aggregator: Aggregator) -> list[str]:
    """The regions the aggregator asks its sources for: its list, or with AllAwsRegions
    every Config region of its partition (and its own region, known or not)."""
    if not aggregator.all_regions:
        return sorted(set(aggregator.regions))
    return sorted(set(partition_regions(aggregator.region)) | {aggregator.region})


def source_statuses(
    conn: Connection, aggregator: Aggregator, *, after: Partition | None = None
) -> Iterator[SourceStatus]:
    """Every (source account, region) the aggregator asks for, by account then region,
    strictly after ``after``. Lazy: a page of an aggregator of 10,000 accounts in every
    region costs its own entries, not the 340,000 others."""
    granted: dict[str, dict[str, int]] = {}
    for (account, region), since in store.authorizations_of(
        conn, aggregator.account_id, aggregator.region
    ).items():
        granted.setdefault(account, {})[region] = since
    regions = requested_regions(aggregator)
    accounts = sorted(set(aggregator.source_accounts))
    for source in accounts[bisect_left(accounts, after[0]) if after else 0 :]:
        if source == aggregator.account_id:
            found = [(region, True, aggregator.updated_ms) for region in regions]
        else:
            mine = granted.get(source, {})
            asked = set(regions)
            if aggregator.all_regions:  # "all" also covers a region the source granted from
                asked |= mine.keys()
            found = [
                (region, region in mine, max(aggregator.updated_ms, mine.get(region, 0)))
                for region in sorted(asked)
            ]
        for region, authorized, updated_ms in found:
            if after is None or (source, region) > after:
                yield SourceStatus(source, region, authorized, updated_ms)


def visible_partitions(conn: Connection, aggregator: Aggregator) -> list[Partition]:
    """The (account, region) partitions whose data the aggregator may read, sorted.

    Costs one indexed read of the authorizations naming the aggregator's account and
    region, however many source accounts it has."""
    sources = set(aggregator.source_accounts)
    wanted = None if aggregator.all_regions else set(aggregator.regions)
    visible = {
        (account, region)
        for account, region in store.authorizations_of(
            conn, aggregator.account_id, aggregator.region
        )
        if account in sources
        and account != aggregator.account_id
        and (wanted is None or region in wanted)
    }
    if aggregator.account_id in sources:
        visible |= {(aggregator.account_id, region) for region in requested_regions(aggregator)}
    return sorted(visible)


def resource_type_filter(aggregator: Aggregator) -> frozenset[str] | None:
    """The resource types an AggregatorFilters.ResourceType INCLUDE filter keeps; None
    when the aggregator has no such filter (every type)."""
    spec = (aggregator.filters or {}).get("ResourceType")
    if not spec or spec.get("Value") is None:
        return None
    return frozenset(spec["Value"])


def in_scope(aggregator: Aggregator, resource_type: str) -> bool:
    kept = resource_type_filter(aggregator)
    return kept is None or resource_type in kept
