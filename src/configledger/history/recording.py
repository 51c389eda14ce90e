"""Turning an observation of a resource into a configuration item, or into nothing.

Every path that records (PutResourceConfig today, the discovery engine later) comes
through ``record``: compare with the newest item, decide the status, pick a
configurationStateId strictly greater than the last one, and append item, projection
and outbox event in one transaction under the resource's lock.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace

import orjson
from sqlalchemy import Connection

from configledger.errors import MaxActiveResourcesExceededException
from configledger.history.items import ConfigurationItem, ItemStatus, Relationship, ResourceKey
from configledger.store import items as item_store
from configledger.store.database import Database


@dataclass(frozen=True, slots=True)
class Observation:
    """What was seen of one resource at one moment (everything but the metadata)."""

    key: ResourceKey
    configuration: str | None
    resource_name: str | None = None
    arn: str | None = None
    availability_zone: str | None = None
    resource_creation_ms: int | None = None
    tags: dict[str, str] = field(default_factory=dict)
    relationships: tuple[Relationship, ...] = ()
    supplementary_configuration: dict[str, str] = field(default_factory=dict)
    related_events: tuple[str, ...] = ()


def same_state(previous: ConfigurationItem, observed: Observation | ConfigurationItem) -> bool:
    """Whether nothing a user could see changed; configuration compared as JSON values,
    so key order and whitespace are not changes. The values are compared in a canonical
    rendering, not with Python's ``==``, which holds ``true == 1 == 1.0``; the same
    text is the same value, which spares the parsing in the common unchanged case."""

    def parsed(text: str | None) -> bytes | None:
        if text is None:
            return None
        return orjson.dumps(orjson.loads(text), option=orjson.OPT_SORT_KEYS)

    return (
        previous.resource_name == observed.resource_name
        and previous.arn == observed.arn
        and previous.availability_zone == observed.availability_zone
        and previous.tags == observed.tags
        and previous.relationships == observed.relationships
        and previous.supplementary_configuration == observed.supplementary_configuration
        and (
            previous.configuration == observed.configuration
            or parsed(previous.configuration) == parsed(observed.configuration)
        )
    )


def record(
    database: Database,
    observed: Observation,
    *,
    now_ms: int,
    custom: bool,
    max_active_custom: int | None = None,
    guard: Callable[[Connection], None] | None = None,
) -> ConfigurationItem | None:
    """Record ``observed`` as a new item; None when it changes nothing.

    ``guard`` runs first inside the transaction (e.g. "is the recorder running?"), so
    its answer still holds when the item is appended.

    ``max_active_custom``: refuse a resource that is not active yet once that many
    are (AWS's quota on custom resources), inside the same transaction as the append.
    """
    key = observed.key
    with database.resource_lock(*_lock_key(key)), database.write() as conn:
        if guard is not None:
            guard(conn)
        previous_state = item_store.resource_state(conn, key)
        previous = None
        if previous_state is not None and previous_state.deleted_ms is None:
            previous = item_store.load_item(conn, previous_state.item_seq)
        if previous is not None and same_state(previous, observed):
            return None
        if (
            previous is None
            and max_active_custom is not None
            and item_store.active_custom_count(conn, key.account_id, key.region)
            >= max_active_custom
        ):
            raise MaxActiveResourcesExceededException(
                f"You have reached the limit of {max_active_custom} active custom "
                "resources in this account and region."
            )
        status = ItemStatus.OK if previous is not None else ItemStatus.RESOURCE_DISCOVERED
        item = new_item(key, observed, previous_state, now_ms, status=status)
        item_store.append_item(conn, item, previous=previous_state, custom=custom, now_ms=now_ms)
        return item


def record_deletion(
    database: Database,
    key: ResourceKey,
    *,
    now_ms: int,
    guard: Callable[[Connection], None] | None = None,
) -> ConfigurationItem | None:
    """Record that the resource is gone; None when it is unknown or already deleted."""
    with database.resource_lock(*_lock_key(key)), database.write() as conn:
        if guard is not None:
            guard(conn)
        previous_state = item_store.resource_state(conn, key)
        if previous_state is None or previous_state.deleted_ms is not None:
            return None
        previous = item_store.load_item(conn, previous_state.item_seq)
        item = deletion_item(previous_state, previous, now_ms)
        item_store.append_item(
            conn, item, previous=previous_state, custom=previous_state.custom, now_ms=now_ms
        )
        return item


def deletion_item(
    state: item_store.ResourceState,
    last: ConfigurationItem,
    now_ms: int,
    *,
    status: ItemStatus = ItemStatus.RESOURCE_DELETED,
    aws_region: str | None = None,
    related_events: tuple[str, ...] = (),
) -> ConfigurationItem:
    """The item saying a resource is gone: no configuration, relationships or tags, but
    the identity its last item had."""
    return replace(
        new_item(
            state.key,
            Observation(key=state.key, configuration=None, related_events=related_events),
            state,
            now_ms,
            status=status,
            aws_region=aws_region,
        ),
        resource_name=last.resource_name,
        arn=last.arn,
        availability_zone=last.availability_zone,
        resource_creation_ms=last.resource_creation_ms,
    )


def _lock_key(key: ResourceKey) -> tuple[str, str, str, str]:
    return (key.account_id, key.region, key.resource_type, key.resource_id)


def next_state_id(previous_state: item_store.ResourceState | None, now_ms: int) -> int:
    """configurationStateId is the capture time in ms and must grow strictly, even when
    two changes land within one millisecond or the clock steps back."""
    return now_ms if previous_state is None else max(now_ms, previous_state.state_id + 1)


def new_item(
    key: ResourceKey,
    observed: Observation,
    previous_state: item_store.ResourceState | None,
    now_ms: int,
    *,
    status: ItemStatus = ItemStatus.OK,
    aws_region: str | None = None,
) -> ConfigurationItem:
    state_id = next_state_id(previous_state, now_ms)
    return ConfigurationItem(
        account_id=key.account_id,
        aws_region=aws_region or key.region,
        resource_type=key.resource_type,
        resource_id=key.resource_id,
        capture_ms=state_id,
        state_id=state_id,
        status=status,
        configuration=observed.configuration,
        resource_name=observed.resource_name,
        arn=observed.arn,
        availability_zone=observed.availability_zone,
        resource_creation_ms=observed.resource_creation_ms,
        tags=dict(observed.tags),
        relationships=observed.relationships,
        supplementary_configuration=dict(observed.supplementary_configuration),
        related_events=observed.related_events,
    )
