"""The query engine against a plain Python evaluation of the same predicates.

A generated estate (resources of three types with nested configurations, arrays of
objects and of strings, numbers, booleans, CIDR blocks, tags, relationships and
supplementary configuration; some changed, some deleted) and 200 generated queries.
For each query the server's answer (every page, in order) must equal what a direct
reading of AWS's rules gives over the current items: "any element" per predicate,
literals matching values of their own type, CIDR containment for addresses, prefix
LIKE, NOT as negation, results ordered by resource type and id.
"""

from __future__ import annotations

import ipaddress
import json
import random
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from configledger.clock import SystemClock
from configledger.history.items import ResourceKey
from configledger.history.recording import record_deletion
from tests.conftest import REGION, LiveServer, config_client, new_account
from tests.query.helpers import put_item, select_all

TYPES = ("Acme::App::Server", "Acme::App::Queue", "AWS::EC2::Instance")
WORDS = ("alpha", "alpine", "alps", "beta", "betamax", "gamma", "delta", "deltoid", "omega")
STATES = ("running", "stopped", "pending")
CIDRS = ("10.0.0.0/24", "10.0.0.0/16", "10.1.2.0/24", "0.0.0.0/0", "192.168.1.10", "10.0.0.7/32")


@dataclass
class Resource:
    resource_type: str
    resource_id: str
    resource_name: str
    configuration: dict[str, Any]
    tags: dict[str, str]
    relationships: list[str]
    versioning: str | None


def _configuration(rng: random.Random) -> dict[str, Any]:
    document: dict[str, Any] = {
        "name": rng.choice(WORDS),
        "size": rng.randint(0, 20),
        "ratio": round(rng.uniform(0, 5), 2),
        "enabled": rng.random() < 0.5,
        "state": {"name": rng.choice(STATES)},
        "ports": rng.sample([22, 80, 443, 8080, 5432], rng.randint(0, 3)),
        "rules": [
            {
                "port": rng.choice([22, 80, 443]),
                "proto": rng.choice(["tcp", "udp"]),
                "cidr": rng.sample(CIDRS, rng.randint(1, 2)),
            }
            for _ in range(rng.randint(0, 3))
        ],
        "labels": rng.sample(WORDS, rng.randint(0, 3)),
    }
    if rng.random() < 0.6:
        document["owner"] = rng.choice(WORDS)
    return document


def _resource(rng: random.Random, index: int) -> Resource:
    tags = {}
    if rng.random() < 0.7:
        tags["env"] = rng.choice(["prod", "dev"])
    if rng.random() < 0.5:
        tags["team"] = rng.choice(WORDS)
    return Resource(
        resource_type=rng.choice(TYPES),
        resource_id=f"r-{index:04d}-{rng.choice(WORDS)}",
        resource_name=rng.choice(WORDS),
        configuration=_configuration(rng),
        tags=tags,
        relationships=[f"sg-{rng.randint(1, 5)}" for _ in range(rng.randint(0, 2))],
        versioning=rng.choice([None, "Off", "Enabled"]),
    )


def _put(server: LiveServer, account: str, r: Resource) -> None:
    supplementary = {}
    if r.versioning is not None:
        supplementary["Versioning"] = json.dumps({"status": r.versioning})
    put_item(
        server,
        account,
        r.resource_type,
        r.resource_id,
        r.configuration,
        resource_name=r.resource_name,
        tags=r.tags,
        relationships=[
            ("AWS::EC2::SecurityGroup", "Is associated with SecurityGroup", sg)
            for sg in dict.fromkeys(r.relationships)
        ],
        supplementary_configuration=supplementary,
    )


@dataclass
class Estate:
    config: Any
    current: list[Resource]


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def estate(request: pytest.FixtureRequest) -> Iterator[Estate]:
    server: LiveServer = request.getfixturevalue(f"{request.param}_server")
    account = new_account()
    rng = random.Random(7)
    resources = [_resource(rng, i) for i in range(150)]
    for r in resources:
        _put(server, account, r)
    current: dict[str, Resource] = {r.resource_id: r for r in resources}
    for r in rng.sample(resources, 30):  # changed: only the newest item counts
        changed = _resource(rng, 0)
        changed.resource_type, changed.resource_id = r.resource_type, r.resource_id
        _put(server, account, changed)
        current[r.resource_id] = changed
    for r in rng.sample(resources, 15):  # deleted: never in results
        key = ResourceKey(account, REGION, current[r.resource_id].resource_type, r.resource_id)
        record_deletion(server.app.runtime.database, key, now_ms=SystemClock().now_ms())
        current.pop(r.resource_id)
    yield Estate(config_client(server, account), list(current.values()))


# -- the reference: AWS's rules read directly ----------------------------------------------


def _leaves(value: Any) -> Iterator[Any]:
    if isinstance(value, list):
        for v in value:
            yield from _leaves(v)
    elif value is not None and not isinstance(value, dict):
        yield value


def _walk(value: Any, parts: list[str]) -> Iterator[Any]:
    if isinstance(value, list):
        for v in value:
            yield from _walk(v, parts)
        return
    if not parts:
        yield from _leaves(value)
        return
    if isinstance(value, dict) and parts[0] in value:
        yield from _walk(value[parts[0]], parts[1:])


def values_of(r: Resource, path: str) -> list[Any]:
    """Every leaf value of ``path`` on ``r``; top-level properties give one value or none."""
    if path == "resourceId":
        return [r.resource_id]
    if path == "resourceName":
        return [r.resource_name]
    if path == "resourceType":
        return [r.resource_type]
    if path == "tags.key":
        return list(r.tags)
    if path == "tags.value":
        return list(r.tags.values())
    if path == "tags.tag":
        return [f"{k}={v}" for k, v in r.tags.items()]
    if path == "relationships.resourceId":
        return list(dict.fromkeys(r.relationships))
    if path == "supplementaryConfiguration.Versioning.status":
        return [r.versioning] if r.versioning is not None else []
    root, *rest = path.split(".")
    assert root == "configuration"
    return list(_walk(r.configuration, rest))


def _same_type(leaf: Any, literal: Any) -> bool:
    if isinstance(literal, bool) or isinstance(leaf, bool):
        return isinstance(literal, bool) and isinstance(leaf, bool)
    if isinstance(literal, int | float):
        return isinstance(leaf, int | float)
    return isinstance(leaf, str)


def _network(text: Any) -> ipaddress.IPv4Network | None:
    if not isinstance(text, str) or not re.match(r"^\d+\.\d+\.\d+\.\d+(/\d+)?$", text):
        return None
    return ipaddress.IPv4Network(text, strict=False)


Predicate = Callable[[Resource], bool]


def compare(path: str, op: str, literal: Any) -> Predicate:
    # Addresses compare as ranges inside documents; top-level properties are plain strings.
    target = _network(literal) if "." in path else None

    def leaf_matches(leaf: Any) -> bool:
        if target is not None:
            stored = _network(leaf)
            if stored is None:
                return False
            first, last = int(stored.network_address), int(stored.broadcast_address)
            lo, hi = int(target.network_address), int(target.broadcast_address)
            contains = first <= lo and last >= hi
            return {
                "=": contains, "!=": not contains, "<": first < lo, "<=": first <= lo,
                ">": last > hi, ">=": last >= hi,
            }[op]  # fmt: skip
        if not _same_type(leaf, literal):
            return False
        return {
            "=": leaf == literal, "!=": leaf != literal, "<": leaf < literal,
            "<=": leaf <= literal, ">": leaf > literal, ">=": leaf >= literal,
        }[op]  # fmt: skip

    return lambda r: any(leaf_matches(v) for v in values_of(r, path))


def between(path: str, low: Any, high: Any) -> Predicate:
    low_net, high_net = _network(low), _network(high)
    if "." in path and low_net is not None and high_net is not None:
        lo, hi = int(low_net.network_address), int(high_net.broadcast_address)

        def contains(leaf: Any) -> bool:
            stored = _network(leaf)
            return stored is not None and (
                int(stored.network_address) <= lo and int(stored.broadcast_address) >= hi
            )

        return lambda r: any(contains(v) for v in values_of(r, path))
    return lambda r: any(
        _same_type(v, low) and _same_type(v, high) and low <= v <= high for v in values_of(r, path)
    )


def like(path: str, pattern: str) -> Predicate:
    regex = re.compile(
        "^"
        + "".join(".*" if c == "%" else "." if c == "_" else re.escape(c) for c in pattern)
        + "$",
        re.S,
    )
    return lambda r: any(isinstance(v, str) and regex.match(v) for v in values_of(r, path))


# -- the generator -------------------------------------------------------------------------

PATHS = (
    "resourceId", "resourceName", "resourceType", "configuration.name", "configuration.size",
    "configuration.ratio", "configuration.enabled", "configuration.state.name",
    "configuration.ports", "configuration.rules.port", "configuration.rules.proto",
    "configuration.rules.cidr", "configuration.labels", "configuration.owner", "tags.key",
    "tags.value", "tags.tag", "relationships.resourceId",
    "supplementaryConfiguration.Versioning.status",
)  # fmt: skip


def _sql(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return "'" + value.replace("'", "''") + "'"
    return repr(value)


class Generator:
    def __init__(self, rng: random.Random, resources: list[Resource]) -> None:
        self.rng = rng
        self.resources = resources

    def value(self, path: str) -> Any:
        seen = [v for r in self.resources for v in values_of(r, path)]
        if not seen or self.rng.random() < 0.1:
            return self.rng.choice(["zzz", 3, 2.5, True, "10.0.0.0"])
        return self.rng.choice(seen)

    def atom(self) -> tuple[str, Predicate]:
        path = self.rng.choice(PATHS)
        top = "." not in path
        kind = self.rng.random()
        value = self.value(path)
        if top and not isinstance(value, str):
            value = str(value)
        if kind < 0.45:
            op = self.rng.choice(["=", "=", "!=", "<", "<=", ">", ">="])
            if isinstance(value, bool):
                op = self.rng.choice(["=", "!="])
            return f"{path} {op} {_sql(value)}", compare(path, op, value)
        if kind < 0.6:
            other = self.value(path)
            if top and not isinstance(other, str):
                other = str(other)
            if isinstance(value, bool) or isinstance(other, bool):
                return f"{path} = {_sql(value)}", compare(path, "=", value)
            try:
                low, high = sorted([value, other])
            except TypeError:
                low, high = value, value
            return (
                f"{path} BETWEEN {_sql(low)} AND {_sql(high)}",
                between(path, low, high),
            )
        if kind < 0.8:
            values = [value, *(self.value(path) for _ in range(self.rng.randint(0, 2)))]
            if top:
                values = [v if isinstance(v, str) else str(v) for v in values]
            predicates = [compare(path, "=", v) for v in values]
            return (
                f"{path} IN ({', '.join(_sql(v) for v in values)})",
                lambda r: any(p(r) for p in predicates),
            )
        texts = [v for r in self.resources for v in values_of(r, path) if isinstance(v, str)]
        text = self.rng.choice(texts) if texts else "alpha"
        if len(text) < 3:
            return f"{path} = {_sql(text)}", compare(path, "=", text)
        pattern = text[: self.rng.randint(3, len(text))] + self.rng.choice(["%", "%", "_%", "%%"])
        return f"{path} LIKE {_sql(pattern)}", like(path, pattern)

    def condition(self, depth: int = 0) -> tuple[str, Predicate]:
        roll = self.rng.random()
        if depth >= 2 or roll < 0.4:
            return self.atom()
        if roll < 0.55:
            text, predicate = self.condition(depth + 1)
            return f"NOT ({text})", lambda r: not predicate(r)
        (lt, lp), (rt, rp) = self.condition(depth + 1), self.condition(depth + 1)
        if roll < 0.8:
            return f"({lt}) AND ({rt})", lambda r: lp(r) and rp(r)
        return f"({lt}) OR ({rt})", lambda r: lp(r) or rp(r)


def test_two_hundred_generated_queries(estate: Estate) -> None:
    rng = random.Random(2026)
    generator = Generator(rng, estate.current)
    ordered = sorted(estate.current, key=lambda r: (r.resource_type, r.resource_id))
    matched_some = 0
    for number in range(200):
        text, predicate = generator.condition()
        expression = f"SELECT resourceId, resourceType WHERE {text}"
        limit = rng.choice([None, 7, 100])
        found = select_all(estate.config, expression, limit=limit)
        expected = [
            {"resourceId": r.resource_id, "resourceType": r.resource_type}
            for r in ordered
            if predicate(r)
        ]
        assert found == expected, f"query {number}: {expression}"
        matched_some += bool(expected) and len(expected) < len(ordered)
    assert matched_some > 100  # the generator asks questions that discriminate


def test_generated_group_counts(estate: Estate) -> None:
    rng = random.Random(11)
    generator = Generator(rng, estate.current)
    for path in ("configuration.state.name", "resourceType", "configuration.size", "tags.key"):
        text, predicate = generator.condition()
        found = select_all(estate.config, f"SELECT {path}, COUNT(*) WHERE {text} GROUP BY {path}")
        counts: dict[Any, int] = {}
        for r in estate.current:
            if predicate(r):
                values = values_of(r, path)
                key = values[0] if values else None
                counts[key] = counts.get(key, 0) + 1

        def value(row: dict[str, Any], path: str = path) -> Any:
            node: Any = row
            for part in path.split("."):
                if not isinstance(node, dict) or part not in node:
                    return None
                node = node[part]
            return node

        assert {value(row): row["COUNT(*)"] for row in found} == counts, text
