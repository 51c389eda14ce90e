"""What several managed rules read the same way: policy documents, security-group
permissions, port lists, string flags, times and key references.

Not a rule (it defines no ``RULE``), so the registry does not list it. Like the rules,
it imports nothing but the standard library.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any
from urllib.parse import unquote

OPEN_IPV4 = "0.0.0.0/0"
OPEN_IPV6 = "::/0"
ALL_PORTS = (0, 65535)


def as_list(value: Any) -> list[Any]:
    """IAM's "one or many" fields (Action, Resource, Principal values) as a list."""
    if value is None:
        return []
    if isinstance(value, list):
        return value
    return [value]


def policy_document(text: Any) -> dict[str, Any] | None:
    """A policy as a dict, from an object, JSON text, or IAM's URL-encoded JSON text."""
    if isinstance(text, Mapping):
        return dict(text)
    if not isinstance(text, str) or not text:
        return None
    for candidate in (text, unquote(text)):
        try:
            loaded = json.loads(candidate)
        except ValueError:
            continue
        if isinstance(loaded, dict):
            return loaded
    return None


def statements(document: Mapping[str, Any] | None) -> list[Mapping[str, Any]]:
    if not document:
        return []
    return [s for s in as_list(document.get("Statement")) if isinstance(s, Mapping)]


def principal_is_everyone(principal: Any) -> bool:
    """``"*"`` or ``{"AWS": "*"}`` (alone or in a list): anyone at all."""
    if principal == "*":
        return True
    if isinstance(principal, Mapping):
        return "*" in as_list(principal.get("AWS"))
    return False


def action_matches(actions: Iterable[str], wanted: str) -> bool:
    """Whether an IAM action list grants ``wanted`` (``s3:GetObject``), wildcards included."""
    service, _, name = wanted.lower().partition(":")
    for action in actions:
        text = str(action).lower()
        if text == "*":
            return True
        a_service, _, a_name = text.partition(":")
        if a_service != service:
            continue
        if a_name == name or (a_name.endswith("*") and name.startswith(a_name[:-1])):
            return True
    return False


def open_cidrs(permission: Mapping[str, Any], ipv6: bool = True) -> bool:
    """Whether a security-group permission is open to the whole internet.

    The recorder keeps both ``ipv4Ranges`` objects and the old ``ipRanges`` strings."""
    ranges = {r.get("cidrIp") for r in permission.get("ipv4Ranges") or [] if isinstance(r, Mapping)}
    ranges |= {r for r in permission.get("ipRanges") or [] if isinstance(r, str)}
    if OPEN_IPV4 in ranges:
        return True
    if ipv6:
        return any(
            isinstance(r, Mapping) and r.get("cidrIpv6") == OPEN_IPV6
            for r in permission.get("ipv6Ranges") or []
        )
    return False


def permission_ports(permission: Mapping[str, Any], protocol: str) -> tuple[int, int] | None:
    """The port range a permission opens for ``protocol`` (``tcp``/``udp``), or None if
    it opens nothing for it. Protocol ``-1`` and a missing range mean every port."""
    numbers = {"tcp": "6", "udp": "17"}
    given = str(permission.get("ipProtocol", ""))
    if given == "-1":
        return ALL_PORTS
    if given not in (protocol, numbers[protocol]):
        return None
    low, high = permission.get("fromPort"), permission.get("toPort")
    if low is None or high is None or int(low) == -1:
        return ALL_PORTS
    return int(low), int(high)


def parse_ports(text: str | Iterable[str] | None) -> list[tuple[int, int]]:
    """``"443,1020-1025"`` (or its CSV list) as [(443, 443), (1020, 1025)]."""
    if text is None:
        return []
    parts = text.split(",") if isinstance(text, str) else list(text)
    out = []
    for part in (p.strip() for p in parts):
        if not part:
            continue
        low, _, high = part.partition("-")
        out.append((int(low), int(high or low)))
    return out


def covered(span: tuple[int, int], allowed: list[tuple[int, int]]) -> bool:
    """Whether every port of ``span`` lies within the ``allowed`` ranges."""
    port = span[0]
    while port <= span[1]:
        reach = max((high for low, high in allowed if low <= port <= high), default=None)
        if reach is None:
            return False
        port = reach + 1
    return True


def flag(value: Any) -> bool | None:
    """A String parameter meant as a boolean (``"true"``, ``"False"``); None if unset."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return value
    return str(value).strip().lower() == "true"


def timestamp(value: Any) -> datetime | None:
    """An item's time: ISO-8601 text, epoch milliseconds, or a datetime."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if isinstance(value, int | float):
        return datetime.fromtimestamp(value / 1000, UTC)
    text = str(value).replace("Z", "+00:00")
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def key_matches(actual: str | None, wanted: str) -> bool:
    """Whether a KMS key reference (ARN or id) names the same key as ``wanted``."""
    if not actual:
        return False
    if actual == wanted:
        return True
    return actual.rsplit("/", 1)[-1] == wanted.rsplit("/", 1)[-1] and (
        ":key/" in actual or ":key/" in wanted
    )


def pairs(values: Any) -> dict[str, Any]:
    """A ``[{key, value}]`` list (ELB attributes, tags) as a dict."""
    return {str(p.get("key")): p.get("value") for p in values or [] if isinstance(p, Mapping)}


def related_ids(item: Mapping[str, Any], resource_type: str) -> list[str]:
    return [
        str(r["resourceId"])
        for r in item.get("relationships") or []
        if r.get("resourceType") == resource_type and r.get("resourceId")
    ]


ANNOTATION_LIMIT = 256


def brief(text: str) -> str:
    """An annotation within AWS's 256-character limit (lists of ids can run long)."""
    if len(text) <= ANNOTATION_LIMIT:
        return text
    return text[: ANNOTATION_LIMIT - 3] + "..."
