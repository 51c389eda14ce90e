"""Reconciling a listing of one resource type with what the store holds.

A listing of every resource of one type in one account and region becomes, in ONE
transaction: a ResourceDiscovered item for each new resource, an OK item for each one
whose configuration, attributes or relationships changed (with its
configurationItemDiff), a ResourceDeleted item for each stored resource the listing
no longer has — only when the listing is complete (a listing that failed or was cut
short deletes nothing) —, and new items for the resources on the *other* side of every
relationship that appeared or vanished, so relationships are recorded on both sides.

Items, projection rows and outbox events are written with one statement per table per
batch, which keeps a sweep in the tens of thousands of items per second.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace

from sqlalchemy import Connection, select

from configledger.history.diff import CREATED, item_diff
from configledger.history.items import (
    ITEM_VERSION,
    ConfigurationItem,
    ItemStatus,
    Relationship,
    ResourceKey,
)
from configledger.history.recording import (
    Observation,
    deletion_item,
    new_item,
    next_state_id,
    same_state,
)
from configledger.store import items as item_store
from configledger.store import relationships as rel_store
from configledger.store.database import Database, partition_lock
from configledger.store.items import Append, ResourceState
from configledger.store.schema import configuration_items, relationships, resources

GLOBAL_REGION = "global"
DAY_MS = 86_400_000


@dataclass(frozen=True, slots=True)
class Listed:
    """One listed resource, ready to record: configuration as JSON text, supplementary
    values as JSON text, forward relationships with the names their targets show."""

    resource_id: str
    configuration: str
    resource_name: str | None = None
    arn: str | None = None
    availability_zone: str | None = None
    resource_creation_ms: int | None = None
    tags: dict[str, str] = field(default_factory=dict)
    supplementary: dict[str, str] = field(default_factory=dict)
    forward: tuple[tuple[Relationship, str | None], ...] = ()


@dataclass(slots=True)
class Outcome:
    discovered: int = 0
    changed: int = 0
    deleted: int = 0
    related: int = 0  # items written for the other side of changed relationships
    items: list[ConfigurationItem] = field(default_factory=list)


class _CollectorPause:
    """Holds off the cyclic garbage collector while a sweep builds its batch.

    A sweep allocates tens of thousands of items, rows and keys that all live until the
    batch is written; the collector would walk them again and again as they pile up (a
    quarter of the store path's time). None of them form cycles, and reference counting
    still frees everything else meanwhile. Sweeps may overlap (one per partition): the
    collector is switched back on, if it was on, when the last of them leaves."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._inside = 0
        self._was_enabled = False

    @contextmanager
    def __call__(self) -> Iterator[None]:
        with self._lock:
            if self._inside == 0:
                self._was_enabled = gc.isenabled()
                gc.disable()
            self._inside += 1
        try:
            yield
        finally:
            with self._lock:
                self._inside -= 1
                if self._inside == 0 and self._was_enabled:
                    gc.enable()


_collector_paused = _CollectorPause()


def _sorted(relationships: Iterable[Relationship]) -> tuple[Relationship, ...]:
    unique = dict.fromkeys(relationships)
    return tuple(
        sorted(
            unique,
            key=lambda r: (
                r.relationship_name,
                r.resource_type,
                r.resource_id or "",
                r.resource_name or "",
            ),
        )
    )


def _current(
    conn: Connection,
    account_id: str,
    region: str,
    keys: Sequence[tuple[str, str]] | None,
    resource_type: str | None = None,
) -> dict[tuple[str, str], tuple[ResourceState, ConfigurationItem]]:
    """Live resources (by type, or by keys) with their newest items, in one query."""
    r = resources.c
    query = (
        select(resources, configuration_items.c.document)
        .join(configuration_items, configuration_items.c.seq == r.item_seq)
        .where(r.account_id == account_id, r.region == region, r.deleted_ms.is_(None))
    )
    if resource_type is not None:
        query = query.where(r.resource_type == resource_type)
    out: dict[tuple[str, str], tuple[ResourceState, ConfigurationItem]] = {}
    wanted = set(keys) if keys is not None else None
    if wanted is not None:
        types = {t for t, _ in wanted}
        query = query.where(r.resource_type.in_(types))
        if len(wanted) <= 500:  # a few resources (a targeted listing): by primary key
            query = query.where(r.resource_id.in_(sorted({i for _, i in wanted})))
    for row in conn.execute(query):
        pair = (row.resource_type, row.resource_id)
        if wanted is not None and pair not in wanted:
            continue
        state = ResourceState(
            key=ResourceKey(account_id, region, row.resource_type, row.resource_id),
            resource_name=row.resource_name,
            item_seq=row.item_seq,
            state_id=row.state_id,
            first_state_id=row.first_state_id,
            deleted_ms=row.deleted_ms,
            custom=row.custom,
        )
        out[pair] = (state, ConfigurationItem.from_record(row.document))
    return out


@dataclass(frozen=True, slots=True)
class Listing:
    """Everything listed of one type in one partition, and whether the listing is whole."""

    resource_type: str
    resources: Sequence[Listed]
    complete: bool
    global_type: bool = False
    # Outside the recording group: only ResourceNotRecorded / ResourceDeletedNotRecorded
    # items, with no configuration, no relationships (spec 5.2).
    recorded: bool = True
    # DAILY recording (spec 5.3): at most one item per resource per 24 hours.
    daily: bool = False
    # A targeted re-description: the listing covers only these resource ids, and
    # ``complete`` says it is whole for them (an id it omits is gone); None: every
    # resource of the type.
    scope_ids: frozenset[str] | None = None


def reconcile(
    database: Database,
    account_id: str,
    region: str,
    listings: Sequence[Listing],
    *,
    now_ms: int,
    related_events: tuple[str, ...] = (),
) -> dict[str, Outcome]:
    """Record what changed between the listings and the store, in one transaction, so a
    first inventory gives each resource one ResourceDiscovered item that already carries
    the relationships every other listed type contributes."""
    outcomes = {listing.resource_type: Outcome() for listing in listings}
    with database.write() as conn, _collector_paused():
        partition_lock(conn, "recording", account_id, region)
        entries: list[Append] = []
        touched: set[tuple[str, str]] = set()  # the other sides of changed edges
        plans = []
        # 1. The edges first: every listed resource's forward edges replace its old ones,
        # so the inverse edges read below already see this whole sweep.
        for listing in listings:
            stored = {
                k[1]: v
                for k, v in _current(
                    conn, account_id, region, _scope_keys(listing), listing.resource_type
                ).items()
            }
            old_edges = rel_store.forward_edges(
                conn, account_id, region, listing.resource_type, listing.scope_ids
            )
            # Only resources with edges before or after: replacing nothing with nothing
            # would cost a DELETE per 500 resources of a first inventory.
            new_edges: dict[str, list[tuple[Relationship, str | None]]] = {}
            for resource in listing.resources:
                if listing.recorded and resource.forward:
                    new_edges[resource.resource_id] = list(resource.forward)
                elif resource.resource_id in old_edges:
                    new_edges[resource.resource_id] = []
            if listing.complete:
                present = {x.resource_id for x in listing.resources}
                for resource_id in stored:
                    if resource_id not in present and resource_id in old_edges:
                        new_edges[resource_id] = []
            for resource_id, forward in new_edges.items():
                before = {
                    (r.resource_type, rel_store.related_key(r))
                    for r, inverse in old_edges.get(resource_id, [])
                    if inverse
                }
                after = {(r.resource_type, rel_store.related_key(r)) for r, inv in forward if inv}
                touched |= before ^ after
            rel_store.replace_edges(conn, account_id, region, listing.resource_type, new_edges)
            plans.append((listing, stored))

        # 2. Then the items, relationships = own forward edges + the inverse edges.
        listed_keys = {
            (listing.resource_type, r.resource_id)
            for listing in listings
            for r in listing.resources
        }
        inverse = _inverse_edges(conn, account_id, region, listed_keys)
        for listing, stored in plans:
            outcome = outcomes[listing.resource_type]
            aws_region = GLOBAL_REGION if listing.global_type else region
            for resource in listing.resources:
                previous = stored.get(resource.resource_id)
                if not listing.recorded:
                    if previous is None:
                        entries.append(
                            _not_recorded_entry(
                                account_id, region, aws_region, listing, resource, now_ms
                            )
                        )
                        outcome.discovered += 1
                    continue
                if listing.daily and previous and now_ms - previous[1].capture_ms < DAY_MS:
                    continue  # DAILY: this resource already has today's item
                entry = _listed_entry(
                    account_id, region, aws_region, listing.resource_type, resource,
                    previous, listing.daily,
                    inverse.get((listing.resource_type, resource.resource_id), []),
                    now_ms, related_events,
                )  # fmt: skip
                if entry is None:
                    continue
                entries.append(entry)
                if entry.previous is None:
                    outcome.discovered += 1
                else:
                    outcome.changed += 1
            if listing.complete:
                present = {x.resource_id for x in listing.resources}
                for resource_id, (state, last) in stored.items():
                    if resource_id not in present:
                        entries.append(
                            _deleted_entry(
                                state, last, aws_region, now_ms, related_events, listing.recorded
                            )
                        )
                        outcome.deleted += 1

        # 3. Resources outside the sweep whose inverse relationships changed.
        # (not those with an item in this batch already: one item per resource per sweep)
        written = {(e.key.resource_type, e.key.resource_id) for e in entries}
        related = _related_items(
            conn, account_id, region, touched - listed_keys - written, now_ms, related_events
        )
        for entry in related:
            outcomes.setdefault(entry.key.resource_type, Outcome()).related += 1
        entries.extend(related)
        item_store.append_items(conn, entries, now_ms=now_ms)
        for entry in entries:  # (setdefault would build an Outcome per item)
            of_type = outcomes.get(entry.key.resource_type)
            if of_type is None:
                of_type = outcomes[entry.key.resource_type] = Outcome()
            of_type.items.append(entry.item)
    return outcomes


def _scope_keys(listing: Listing) -> list[tuple[str, str]] | None:
    """The stored resources a listing answers for: all of its type, or its scope ids."""
    if listing.scope_ids is None:
        return None
    return [(listing.resource_type, resource_id) for resource_id in sorted(listing.scope_ids)]


# Past this many resources, reading every inverse edge of the partition and keeping
# those of the listed resources is cheaper than naming each resource in the query.
_INVERSE_SCAN_FROM = 1000


def _inverse_edges(
    conn: Connection, account_id: str, region: str, keys: set[tuple[str, str]]
) -> dict[tuple[str, str], list[Relationship]]:
    """``relationships.inverse_edges`` of ``keys``; for a large sweep (a first inventory
    names every resource) one scan of the partition's edges instead of an IN list of
    tens of thousands of values."""
    if len(keys) < _INVERSE_SCAN_FROM:
        return rel_store.inverse_edges(conn, account_id, region, sorted(keys))
    r = relationships.c
    query = select(r.related_type, r.related_key, r.resource_type, r.inverse_name, r.resource_id)
    query = query.where(r.account_id == account_id, r.region == region, r.inverse_name.is_not(None))
    out: dict[tuple[str, str], list[Relationship]] = {}
    for related_type, related_key, resource_type, inverse_name, resource_id in conn.execute(query):
        target = (related_type, related_key)
        if target in keys:
            out.setdefault(target, []).append(
                Relationship(resource_type, inverse_name, resource_id, None)
            )
    return out


def _listed_entry(
    account_id: str,
    region: str,
    aws_region: str,
    resource_type: str,
    resource: Listed,
    previous: tuple[ResourceState, ConfigurationItem] | None,
    daily: bool,
    inverse: list[Relationship],
    now_ms: int,
    related_events: tuple[str, ...],
) -> Append | None:
    """The item for one listed resource, or None when nothing changed.

    Builds the item in one step (no Observation, no ``replace`` copy): this runs for
    every resource of every sweep."""
    forward = resource.forward
    relationships = _sorted([r for r, _ in forward] + inverse) if forward or inverse else ()
    if previous is None:
        state, last = None, None
        status = ItemStatus.RESOURCE_DISCOVERED
    else:
        state, last = previous
        # A resource seen before only as "not recorded" is discovered when recording starts.
        fresh = last.status is ItemStatus.RESOURCE_NOT_RECORDED
        status = ItemStatus.RESOURCE_DISCOVERED if fresh else ItemStatus.OK
    state_id = next_state_id(state, now_ms)
    item = ConfigurationItem(
        account_id,
        aws_region,
        resource_type,
        resource.resource_id,
        state_id,
        state_id,
        status,
        resource.configuration,
        resource.resource_name,
        resource.arn,
        resource.availability_zone,
        resource.resource_creation_ms,
        dict(resource.tags),
        relationships,
        related_events,
        dict(resource.supplementary),
        ITEM_VERSION,
        "DAILY" if daily else None,
        now_ms if daily else None,
    )
    if last is not None and same_state(last, item):
        return None
    key = ResourceKey(account_id, region, resource_type, resource.resource_id)
    if status is ItemStatus.RESOURCE_DISCOVERED:  # a new resource's diff is fixed (spec 6.7)
        return Append(key, item, state, diff=CREATED)
    assert last is not None  # OK items only follow a recorded item
    diff = item_diff(last.to_stream(), item.to_stream(), status.value)
    return Append(key, item, state, diff=diff)


def _not_recorded_entry(
    account_id: str,
    region: str,
    aws_region: str,
    listing: Listing,
    resource: Listed,
    now_ms: int,
) -> Append:
    """A resource of a type outside the recording group: seen, but not recorded."""
    key = ResourceKey(account_id, region, listing.resource_type, resource.resource_id)
    observed = Observation(
        key=key,
        configuration=None,
        resource_name=resource.resource_name,
        arn=resource.arn,
        availability_zone=resource.availability_zone,
        resource_creation_ms=resource.resource_creation_ms,
    )
    item = new_item(
        key, observed, None, now_ms, status=ItemStatus.RESOURCE_NOT_RECORDED, aws_region=aws_region
    )
    return Append(key, item, None, diff=None)


def _deleted_entry(
    state: ResourceState,
    last: ConfigurationItem,
    aws_region: str,
    now_ms: int,
    related_events: tuple[str, ...],
    recorded: bool = True,
) -> Append:
    recorded = recorded and last.status is not ItemStatus.RESOURCE_NOT_RECORDED
    status = ItemStatus.RESOURCE_DELETED if recorded else ItemStatus.RESOURCE_DELETED_NOT_RECORDED
    item = deletion_item(
        state, last, now_ms, status=status, aws_region=aws_region, related_events=related_events
    )
    return Append(
        state.key,
        item,
        state,
        diff=item_diff(last.to_stream(), item.to_stream(), item.status.value),
    )


def _related_items(
    conn: Connection,
    account_id: str,
    region: str,
    targets: set[tuple[str, str]],
    now_ms: int,
    related_events: tuple[str, ...],
) -> list[Append]:
    """New items for live resources whose inverse relationships changed."""
    if not targets:
        return []
    current = _current(conn, account_id, region, sorted(targets))
    inverse = rel_store.inverse_edges(conn, account_id, region, sorted(current))
    entries = []
    for (target_type, target_id), (state, last) in sorted(current.items()):
        own = rel_store.forward_edges(conn, account_id, region, target_type, [target_id])
        relationships = _sorted(
            [r for r, _ in own.get(target_id, [])] + inverse.get((target_type, target_id), [])
        )
        if relationships == last.relationships or last.status is ItemStatus.RESOURCE_NOT_RECORDED:
            continue
        item = replace(
            last,
            capture_ms=max(now_ms, state.state_id + 1),
            state_id=max(now_ms, state.state_id + 1),
            status=ItemStatus.OK,
            relationships=relationships,
            related_events=related_events,
        )
        diff = item_diff(last.to_stream(), item.to_stream(), item.status.value)
        entries.append(Append(state.key, item, state, diff=diff))
    return entries
