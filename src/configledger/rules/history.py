"""Compliance history: AWS::Config::ResourceCompliance items (spec 3.5).

When the recording group records that type, each change of a resource's compliance
becomes a configuration item of it, written the way the recorder writes items (the
item, its relationships, the projection and the outbox event in one transaction), so
GetResourceConfigHistory, the delivery stream and the rules engine see it like any
other item. An unchanged compliance writes nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import orjson
from sqlalchemy import Connection, select

from configledger.history.diff import CREATED, item_diff
from configledger.history.items import ConfigurationItem, ItemStatus, Relationship, ResourceKey
from configledger.history.recording import Observation, new_item, same_state
from configledger.recorder import recording_group
from configledger.rules.compliance import RESOURCE_COMPLIANCE
from configledger.store import items as item_store
from configledger.store import recorders as recorder_store
from configledger.store import relationships as rel_store
from configledger.store.database import Database, partition_lock
from configledger.store.items import Append, ResourceState
from configledger.store.schema import configuration_items, resources

RELATIONSHIP = "Is associated with "


def records_compliance(conn: Connection, account_id: str, region: str) -> bool:
    """Whether the partition's running recorder records AWS::Config::ResourceCompliance."""
    for recorder in recorder_store.list_recorders(conn, account_id, region):
        if not recorder.recording:
            continue
        group = recorder.recording_group
        strategy = group["recordingStrategy"]["useOnly"]
        if strategy == recording_group.INCLUSION:
            return RESOURCE_COMPLIANCE in group["resourceTypes"]
        if strategy == recording_group.EXCLUSION:
            return RESOURCE_COMPLIANCE not in group["exclusionByResourceTypes"]["resourceTypes"]
        return True
    return False


def _current(
    conn: Connection, account_id: str, region: str, ids: list[str]
) -> dict[str, tuple[ResourceState, ConfigurationItem]]:
    r = resources.c
    out: dict[str, tuple[ResourceState, ConfigurationItem]] = {}
    for start in range(0, len(ids), 500):
        query = (
            select(resources, configuration_items.c.document)
            .join(configuration_items, configuration_items.c.seq == r.item_seq)
            .where(
                r.account_id == account_id,
                r.region == region,
                r.resource_type == RESOURCE_COMPLIANCE,
                r.resource_id.in_(ids[start : start + 500]),
            )
        )
        for row in conn.execute(query):
            state = ResourceState(
                key=ResourceKey(account_id, region, RESOURCE_COMPLIANCE, row.resource_id),
                resource_name=row.resource_name,
                item_seq=row.item_seq,
                state_id=row.state_id,
                first_state_id=row.first_state_id,
                deleted_ms=row.deleted_ms,
                custom=row.custom,
            )
            out[row.resource_id] = (state, ConfigurationItem.from_record(row.document))
    return out


def record_compliance(
    database: Database,
    account_id: str,
    region: str,
    configurations: Mapping[tuple[str, str], dict[str, Any]],
    *,
    now_ms: int,
) -> int:
    """Record the compliance of each target resource; how many items were written."""
    if not configurations:
        return 0
    with database.write() as conn:
        partition_lock(conn, "recording", account_id, region)
        if not records_compliance(conn, account_id, region):
            return 0
        ids = {f"{t}/{i}": (t, i) for t, i in configurations}
        current = _current(conn, account_id, region, list(ids))
        entries: list[Append] = []
        edges: dict[str, list[tuple[Relationship, str | None]]] = {}
        for resource_id, (target_type, target_id) in ids.items():
            key = ResourceKey(account_id, region, RESOURCE_COMPLIANCE, resource_id)
            relationship = Relationship(target_type, RELATIONSHIP, target_id, None)
            observed = Observation(
                key=key,
                configuration=orjson.dumps(configurations[(target_type, target_id)]).decode(),
                relationships=(relationship,),
            )
            found = current.get(resource_id)
            state = found[0] if found else None
            previous = found[1] if found and state and state.deleted_ms is None else None
            if previous is not None and same_state(previous, observed):
                continue
            status = ItemStatus.OK if previous is not None else ItemStatus.RESOURCE_DISCOVERED
            item = new_item(key, observed, state, now_ms, status=status)
            diff = (
                CREATED
                if previous is None
                else item_diff(previous.to_stream(), item.to_stream(), status.value)
            )
            entries.append(Append(key, item, state, diff=diff))
            edges[resource_id] = [(relationship, None)]
        if entries:
            rel_store.replace_edges(conn, account_id, region, RESOURCE_COMPLIANCE, edges)
            item_store.append_items(conn, entries, now_ms=now_ms)
        return len(entries)
