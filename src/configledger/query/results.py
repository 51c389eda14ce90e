"""Result rows as AWS renders them (spec 8.2): each a JSON string of the selected
properties re-nested by path (``configuration.instanceType`` ->
``{"configuration": {"instanceType": ...}}``), arrays kept on the way down, absent
properties left out, timestamps as ISO-8601, aggregates under their literal text."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import orjson

from configledger.clock import iso_ms
from configledger.history.items import ConfigurationItem
from configledger.query.ast import Aggregate, Field, Kind, Property

_MISSING: Any = object()


def _top_level(item: ConfigurationItem, name: str) -> Any:
    values: dict[str, Any] = {
        "accountId": item.account_id,
        "arn": item.arn,
        "availabilityZone": item.availability_zone,
        "awsRegion": item.aws_region,
        "configurationItemCaptureTime": iso_ms(item.capture_ms),
        "configurationItemStatus": item.status.value,
        "configurationStateId": str(item.state_id),
        "resourceCreationTime": (
            iso_ms(item.resource_creation_ms) if item.resource_creation_ms is not None else None
        ),
        "resourceId": item.resource_id,
        "resourceName": item.resource_name,
        "resourceType": item.resource_type,
        "version": item.version,
    }
    value = values.get(name)
    return _MISSING if value is None else value


def _pluck(value: Any, parts: Sequence[str]) -> Any:
    """The part of ``value`` under ``parts``, keeping the structure (and arrays) above it."""
    if not parts:
        return value
    if isinstance(value, list):
        picked = [p for p in (_pluck(v, parts) for v in value) if p is not _MISSING]
        return picked if picked else _MISSING
    if isinstance(value, dict) and parts[0] in value:
        child = _pluck(value[parts[0]], parts[1:])
        return _MISSING if child is _MISSING else {parts[0]: child}
    return _MISSING


def _json_or_text(text: str) -> Any:
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        return text


def _relationship(item: ConfigurationItem) -> list[dict[str, str]]:
    return [r.to_api() for r in item.relationships]


def field_value(item: ConfigurationItem, prop: Property) -> Any:
    """The re-nested value of ``prop`` (without its root key), or _MISSING."""
    root, rest = prop.parts[0], prop.parts[1:]
    if prop.kind is not Kind.JSON and prop.kind is not Kind.WHOLE:
        return _top_level(item, root)
    if root == "configuration":
        if item.configuration is None:
            return _MISSING
        return _pluck(orjson.loads(item.configuration), rest)
    if root == "supplementaryConfiguration":
        document = {k: _json_or_text(v) for k, v in item.supplementary_configuration.items()}
        return _pluck(document, rest)
    if root == "tags":
        pairs = sorted(item.tags.items())
        if not rest:
            return [{"key": k, "value": v} for k, v in pairs]
        if rest[0] in ("key", "value", "tag") and len(rest) == 1:
            if not pairs:
                return _MISSING
            if rest[0] == "tag":
                return [{"tag": f"{k}={v}"} for k, v in pairs]
            return [{rest[0]: k if rest[0] == "key" else v} for k, v in pairs]
        name = ".".join(rest)
        return {name: item.tags[name]} if name in item.tags else _MISSING
    if root == "relationships":
        relationships = _relationship(item)
        if not rest:
            return relationships
        picked = [{rest[0]: r[rest[0]]} for r in relationships if rest[0] in r]
        return picked if picked else _MISSING
    return _MISSING


def merge(into: dict[str, Any], key: str, value: Any) -> None:
    """Put ``value`` at ``key``, merging with what another selected path put there."""
    if key not in into:
        into[key] = value
        return
    existing = into[key]
    if isinstance(existing, dict) and isinstance(value, dict):
        for k, v in value.items():
            merge(existing, k, v)
    elif isinstance(existing, list) and isinstance(value, list) and len(existing) == len(value):
        for index, (a, b) in enumerate(zip(existing, value, strict=True)):
            if isinstance(a, dict) and isinstance(b, dict):
                for k, v in b.items():
                    merge(a, k, v)
            else:
                existing[index] = a


def render_item(item: ConfigurationItem, fields: Sequence[Field]) -> str:
    out: dict[str, Any] = {}
    for field in fields:
        assert isinstance(field, Property)
        value = field_value(item, field)
        if value is not _MISSING:
            merge(out, field.parts[0], value)
    return orjson.dumps(out).decode()


def render_group(fields: Sequence[Field], values: Sequence[Any]) -> str:
    out: dict[str, Any] = {}
    for field, value in zip(fields, values, strict=True):
        if isinstance(field, Aggregate):
            out[field.text] = (
                _time(field.argument, value) if field.function in ("MIN", "MAX") else value
            )
            continue
        if value is None:
            continue
        nested: Any = _time(field, value)
        for part in reversed(field.parts[1:]):
            nested = {part: nested}
        merge(out, field.parts[0], nested)
    return orjson.dumps(out).decode()


def _time(prop: Property | None, value: Any) -> Any:
    if prop is not None and prop.kind is Kind.TIME and isinstance(value, int):
        return iso_ms(value)
    if prop is not None and prop.kind is Kind.NUMBER and isinstance(value, int):
        return str(value) if prop.text == "configurationStateId" else value
    return value
