"""Request members and response elements in the form CloudTrail records them.

CloudTrail shows ``requestParameters`` and ``responseElements`` as JSON with lowerCamel
member names (``GroupId`` -> ``groupId``, ``DBInstanceIdentifier`` ->
``dBInstanceIdentifier``) while map keys stay as sent. With a botocore shape at hand
the walk knows which is which, hides members the model marks sensitive, and can render
timestamps; without one (query-protocol parameters, XML responses) every key is
lowerCameled, which is right for all but the rare map.

Records stay bounded: strings over ``MAX_STRING`` characters (inline Lambda zips,
large policies) are replaced by a note of their length, and a section that is still
over ``MAX_SECTION`` bytes is recorded as null, as CloudTrail omits oversized fields.
"""

from __future__ import annotations

import xml.etree.ElementTree as ElementTree
from collections.abc import Callable, Iterable
from typing import Any

import orjson
from botocore.model import ListShape, MapShape, Shape, StructureShape

MAX_STRING = 8192
MAX_SECTION = 64 * 1024
MAX_XML = 256 * 1024
HIDDEN = "HIDDEN_DUE_TO_SECURITY_REASONS"
_LIST_TAGS = frozenset({"member", "item"})

Timestamp = Callable[[Any], Any]


def lower_first(name: str) -> str:
    return name[:1].lower() + name[1:]


def camelize(shape: Shape | None, value: Any, timestamp: Timestamp | None = None) -> Any:
    """``value`` (a decoded request or response) with CloudTrail's key casing."""
    if shape is None:
        return _camelize_free(value)
    if isinstance(shape, StructureShape) and isinstance(value, dict):
        members = shape.members
        out: dict[str, Any] = {}
        for key, item in value.items():
            member = members.get(key)
            if member is not None and member.metadata.get("sensitive"):
                out[lower_first(key)] = HIDDEN
            else:
                out[lower_first(key)] = camelize(member, item, timestamp)
        return out
    if isinstance(shape, ListShape) and isinstance(value, list):
        return [camelize(shape.member, item, timestamp) for item in value]
    if isinstance(shape, MapShape) and isinstance(value, dict):
        return {key: camelize(shape.value, item, timestamp) for key, item in value.items()}
    if shape.type_name == "timestamp" and timestamp is not None:
        return timestamp(value)
    if shape.metadata.get("sensitive"):
        return HIDDEN
    return value


def _camelize_free(value: Any) -> Any:
    if isinstance(value, dict):
        return {lower_first(str(key)): _camelize_free(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_camelize_free(item) for item in value]
    return value


def query_members(params: Iterable[tuple[str, str]]) -> dict[str, Any]:
    """Flattened query-protocol parameters as nested members.

    ``IpPermissions.1.IpRanges.1.CidrIp`` becomes ``ipPermissions[0].ipRanges[0].cidrIp``;
    ``Tags.member.1.Key`` a list; ``Attributes.entry.1.key/value`` a map keeping its keys.
    ``Action``, ``Version`` and presigning parameters are not members.
    """
    root: dict[str, Any] = {}
    for key, value in params:
        if key in ("Action", "Version") or key.startswith("X-Amz-"):
            continue
        node = root
        parts = key.split(".")
        for part in parts[:-1]:
            child = node.get(part)
            if not isinstance(child, dict):
                child = node[part] = {}
            node = child
        node[parts[-1]] = value
    shaped = _shape_query(root)
    return shaped if isinstance(shaped, dict) else {}


def _shape_query(node: Any) -> Any:
    if not isinstance(node, dict):
        return node
    keys = list(node)
    if keys == ["entry"] and isinstance(node["entry"], dict):
        return _query_map(_shape_query(node["entry"]))
    if len(keys) == 1 and keys[0] in _LIST_TAGS:
        node = node[keys[0]]
        if not isinstance(node, dict):
            return [node]
        keys = list(node)
    if keys and all(key.isdigit() for key in keys):
        return [_shape_query(node[key]) for key in sorted(keys, key=int)]
    return {lower_first(key): _shape_query(item) for key, item in node.items()}


def _query_map(entries: Any) -> Any:
    if not isinstance(entries, list):
        return entries
    out: dict[str, Any] = {}
    for entry in entries:
        if isinstance(entry, dict) and "key" in entry:
            out[str(entry["key"])] = entry.get("value")
    return out


def xml_elements(body: bytes) -> dict[str, Any] | None:
    """A query/EC2/S3 XML response as a dict of its elements (None if not XML or too big).

    The ``...Response`` and ``...Result`` wrappers are unwrapped, as CloudTrail shows the
    result's members; ``ResponseMetadata`` stays (its RequestId is the request id).
    Only moto's own responses come here, never a client's body.
    """
    if not body or len(body) > MAX_XML or not body.lstrip().startswith(b"<"):
        return None
    try:
        root = ElementTree.fromstring(body)
    except ElementTree.ParseError:
        return None
    value = _element(root)
    if not isinstance(value, dict):
        return None
    if _local(root.tag).endswith("Response"):
        results = [key for key in value if key.endswith("Result")]
        if len(results) == 1 and isinstance(value[results[0]], dict):
            rest = {key: item for key, item in value.items() if key != results[0]}
            value = {**value[results[0]], **rest}
    return value


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _element(element: ElementTree.Element) -> Any:
    children = list(element)
    if not children:
        return element.text or ""
    tags = [_local(child.tag) for child in children]
    if all(tag in _LIST_TAGS for tag in tags):
        return [_element(child) for child in children]
    out: dict[str, Any] = {}
    for tag, child in zip(tags, children, strict=True):
        key = lower_first(tag)
        value = _element(child)
        if key in out:
            previous = out[key]
            out[key] = [*previous, value] if isinstance(previous, list) else [previous, value]
        else:
            out[key] = value
    return out


def bounded(value: Any) -> Any:
    """``value`` with over-long strings elided, or None if it is empty or still too big."""
    if not value:
        return None
    trimmed = _trim(value)
    if len(orjson.dumps(trimmed)) > MAX_SECTION:
        return None
    return trimmed


def _trim(value: Any) -> Any:
    if isinstance(value, str):
        if len(value) > MAX_STRING:
            return f"<{len(value)} characters omitted>"
        return value
    if isinstance(value, dict):
        return {key: _trim(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_trim(item) for item in value]
    return value
