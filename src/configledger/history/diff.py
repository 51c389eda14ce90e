"""configurationItemDiff (spec 6.7): what changed between two items, as AWS words it.

Both items are flattened to dotted paths rooted at ``Configuration.``,
``SupplementaryConfiguration.`` and ``Relationships.`` with capitalised segments and
numeric array indexes; leaves that differ become UPDATE, appear CREATE, vanish DELETE.
A plain recursive walk: orders of magnitude cheaper than a generic deep-diff library,
which matters because it runs for every recorded change.
"""

from __future__ import annotations

from typing import Any

_MISSING = object()
# The diff of every newly discovered resource (spec 6.7); one shared, never-mutated value.
CREATED: dict[str, Any] = {"changedProperties": {}, "changeType": "CREATE"}


def _flatten(value: Any, path: str, out: dict[str, Any]) -> None:
    if isinstance(value, dict) and value:
        for key, child in value.items():
            _flatten(child, f"{path}.{key[:1].upper()}{key[1:]}", out)
    elif isinstance(value, list) and value:
        for index, child in enumerate(value):
            # Array elements are compared whole, as AWS reports them (Relationships.0).
            out[f"{path}.{index}"] = child
    else:
        out[path] = value


def _sections(stream: dict[str, Any] | None) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if stream is None:
        return out
    _flatten(stream.get("configuration"), "Configuration", out)
    _flatten(stream.get("supplementaryConfiguration"), "SupplementaryConfiguration", out)
    for index, relationship in enumerate(stream.get("relationships") or []):
        out[f"Relationships.{index}"] = relationship
    return out


def item_diff(
    previous: dict[str, Any] | None, current: dict[str, Any], status: str
) -> dict[str, Any]:
    """The diff of two stream-form items; ``previous`` None for a new resource."""
    if previous is None:
        return CREATED
    change_type = "DELETE" if status.startswith("ResourceDeleted") else "UPDATE"
    before, after = _sections(previous), _sections(current)
    changed: dict[str, Any] = {}
    for path in before.keys() | after.keys():
        old, new = before.get(path, _MISSING), after.get(path, _MISSING)
        if old == new:
            continue
        if old is _MISSING or (old is None and path not in before):
            changed[path] = {"previousValue": None, "updatedValue": new, "changeType": "CREATE"}
        elif new is _MISSING:
            changed[path] = {"previousValue": old, "updatedValue": None, "changeType": "DELETE"}
        else:
            changed[path] = {"previousValue": old, "updatedValue": new, "changeType": "UPDATE"}
    return {"changedProperties": dict(sorted(changed.items())), "changeType": change_type}
