"""The aggregate inventory: the sources' recorded resources, as one aggregator may see them.

Each read takes the aggregator (from ``scope.find_aggregator``), restricts itself to
``scope.visible_partitions`` and the aggregator's resource-type filter, and reads the
sources' own partitions of the store. Items keep their source's ``accountId`` and
``awsRegion``; identifiers carry the source partition (SourceAccountId, SourceRegion).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import Connection

from configledger.aggregation.scope import in_scope, visible_partitions
from configledger.history.items import ConfigurationItem, ResourceKey
from configledger.store import aggregators as store
from configledger.store import items as item_store
from configledger.store.aggregators import AggregateResource, Aggregator, Partition


@dataclass(frozen=True, slots=True)
class PartitionFilter:
    """The AccountId / Region filters the aggregate reads take; None matches any."""

    account_id: str | None = None
    region: str | None = None

    def keep(self, partitions: Iterable[Partition]) -> list[Partition]:
        return [
            (account, region)
            for account, region in partitions
            if (self.account_id is None or account == self.account_id)
            and (self.region is None or region == self.region)
        ]


def list_resources(
    conn: Connection,
    aggregator: Aggregator,
    resource_type: str,
    where: PartitionFilter,
    *,
    resource_id: str | None,
    resource_name: str | None,
    after: tuple[str, str, str] | None,
    limit: int,
) -> list[AggregateResource]:
    """Resources of the type not deleted, by (account, region, id), after the cursor."""
    if not in_scope(aggregator, resource_type):
        return []
    return store.list_resources_across(
        conn,
        where.keep(visible_partitions(conn, aggregator)),
        resource_type,
        resource_id=resource_id,
        resource_name=resource_name,
        after=after,
        limit=limit,
    )


def current_item(
    conn: Connection, aggregator: Aggregator, key: ResourceKey
) -> ConfigurationItem | None:
    """The newest item of a resource not deleted, if the aggregator may see it."""
    if not in_scope(aggregator, key.resource_type):
        return None
    if (key.account_id, key.region) not in visible_partitions(conn, aggregator):
        return None
    state = item_store.resource_state(conn, key)
    if state is None or state.deleted_ms is not None:
        return None
    return item_store.load_item(conn, state.item_seq)


def current_items(
    conn: Connection, aggregator: Aggregator, keys: Sequence[ResourceKey]
) -> list[ConfigurationItem]:
    """The newest items of the resources the aggregator may see, in the order of ``keys``,
    each once; the others are left out. One query, keyed by the source partition (a
    global type's item says awsRegion "global", its partition a real region)."""
    visible = set(visible_partitions(conn, aggregator))
    wanted = [
        (key.account_id, key.region, key.resource_type, key.resource_id)
        for key in dict.fromkeys(keys)
        if (key.account_id, key.region) in visible and in_scope(aggregator, key.resource_type)
    ]
    found = store.current_items_across(conn, wanted)
    return [found[key] for key in wanted if key in found]


@dataclass(frozen=True, slots=True)
class ResourceCount:
    account_id: str
    region: str
    resource_type: str
    count: int


def resource_counts(
    conn: Connection, aggregator: Aggregator, where: PartitionFilter, resource_type: str | None
) -> list[ResourceCount]:
    """How many resources not deleted each visible partition has, per type."""
    return [
        ResourceCount(*row)
        for row in store.count_resources_across(
            conn, where.keep(visible_partitions(conn, aggregator)), resource_type
        )
        if in_scope(aggregator, row[2])
    ]
