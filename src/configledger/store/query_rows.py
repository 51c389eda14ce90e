"""The query form of a configuration item: what advanced queries filter, group and sort on.

A query row carries the item's top-level scalars as columns and one JSON object,
``properties``, mapping every queryable dotted path to the list of its leaf values::

    {"configuration.ipPermissions.ipRanges": ["10.0.0.0/24", "0.0.0.0/0"],
     "tags.key": ["env"], "tags.value": ["prod"], "tags.tag": ["env=prod"], ...}

Arrays are flattened into the path (AWS writes ``configuration.ipPermissions.ipRanges``
for a list of lists), so a predicate is true when *any* leaf under the path matches,
each predicate on its own: AWS's "any element" semantics fall out of the shape. JSON
nulls and empty containers are not values and are left out.

Leaves that are IPv4 addresses or CIDR blocks are also kept as numeric ranges under
``cidr:<path>`` (``[first, last]``), so that ``=`` and ``BETWEEN`` with an address test
containment as AWS does for ``ip`` and ``cidr_block`` properties. Tags are also kept
by key under ``tag:<key>`` for the ``tags.<key>`` extension.
"""

from __future__ import annotations

import contextlib
import re
from dataclasses import dataclass
from typing import Any

import orjson

from configledger.history.items import NOT_LIVE, ConfigurationItem

CIDR_PREFIX = "cidr:"
TAG_PREFIX = "tag:"
_IPV4 = re.compile(r"^\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}(/\d{1,2})?$")

HIDDEN_STATUSES = NOT_LIVE  # queries never see them

Scalar = str | int | float | bool


def ipv4_range(text: str) -> tuple[int, int] | None:
    """``(first, last)`` of an IPv4 address or CIDR block, or None if ``text`` is neither."""
    if not _IPV4.match(text):
        return None
    address, _, prefix = text.partition("/")
    octets = [int(part) for part in address.split(".")]
    bits = int(prefix) if prefix else 32
    if bits > 32 or any(octet > 255 for octet in octets):
        return None
    value = (octets[0] << 24) | (octets[1] << 16) | (octets[2] << 8) | octets[3]
    size = 1 << (32 - bits)
    first = value & ~(size - 1) & 0xFFFFFFFF
    return first, first + size - 1


def properties(item: ConfigurationItem) -> dict[str, list[Any]]:
    """The path -> leaf values map of an item (see the module docstring). On the write
    path of every item: one recursive walk, no generators."""
    out: dict[str, list[Any]] = {}

    def add(path: str, value: Any) -> None:
        values = out.get(path)
        if values is None:
            out[path] = [value]
        else:
            values.append(value)
        if value.__class__ is str and value[:1].isdigit():
            span = ipv4_range(value)
            if span is not None:
                add(CIDR_PREFIX + path, list(span))

    def walk(value: Any, path: str) -> None:
        kind = value.__class__
        if kind is dict:
            for key, child in value.items():
                walk(child, f"{path}.{key}")
        elif kind is list:
            for child in value:
                walk(child, path)
        elif value is not None:
            add(path, value)

    if item.configuration is not None:
        with contextlib.suppress(orjson.JSONDecodeError):
            walk(orjson.loads(item.configuration), "configuration")
    for key, text in item.supplementary_configuration.items():
        try:
            document: Any = orjson.loads(text)
        except orjson.JSONDecodeError:
            document = text
        walk(document, f"supplementaryConfiguration.{key}")
    for key, value in item.tags.items():
        add("tags.key", key)
        add("tags.value", value)
        add("tags.tag", f"{key}={value}")
        add(TAG_PREFIX + key, value)
    for relationship in item.relationships:
        add("relationships.resourceType", relationship.resource_type)
        add("relationships.relationshipName", relationship.relationship_name)
        if relationship.resource_id is not None:
            add("relationships.resourceId", relationship.resource_id)
        if relationship.resource_name is not None:
            add("relationships.resourceName", relationship.resource_name)
    return out


@dataclass(frozen=True, slots=True)
class QueryRow:
    """One row of ``query_resources`` (or of a point-in-time copy of it)."""

    account_id: str
    region: str
    resource_type: str
    resource_id: str
    item_seq: int
    resource_name: str | None
    aws_region: str
    arn: str | None
    availability_zone: str | None
    capture_ms: int
    creation_ms: int | None
    status: str
    state_id: int
    version: str
    properties: bytes  # orjson of ``properties(item)``

    def values(self) -> tuple[Any, ...]:
        return (
            self.account_id,
            self.region,
            self.resource_type,
            self.resource_id,
            self.item_seq,
            self.resource_name,
            self.aws_region,
            self.arn,
            self.availability_zone,
            self.capture_ms,
            self.creation_ms,
            self.status,
            self.state_id,
            self.version,
            self.properties.decode(),
        )


ROW_COLUMNS = (
    "account_id",
    "region",
    "resource_type",
    "resource_id",
    "item_seq",
    "resource_name",
    "aws_region",
    "arn",
    "availability_zone",
    "capture_ms",
    "creation_ms",
    "status",
    "state_id",
    "version",
    "properties",
)


def query_row(account_id: str, region: str, item: ConfigurationItem, item_seq: int) -> QueryRow:
    """The query row of ``item``, kept in partition (``account_id``, ``region``): for
    global types the item's awsRegion differs from the region it is kept in."""
    return QueryRow(
        account_id=account_id,
        region=region,
        resource_type=item.resource_type,
        resource_id=item.resource_id,
        item_seq=item_seq,
        resource_name=item.resource_name,
        aws_region=item.aws_region,
        arn=item.arn,
        availability_zone=item.availability_zone,
        capture_ms=item.capture_ms,
        creation_ms=item.resource_creation_ms,
        status=item.status.value,
        state_id=item.state_id,
        version=item.version,
        properties=orjson.dumps(properties(item)),
    )
