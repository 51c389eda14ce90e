"""Which operation a REST request is: method + path + query against botocore's model.

Why a matcher: REST services (S3, Lambda, ...) name the operation nowhere in the
request; it is implied by the ``http.requestUri`` template it fits. Writing the table
by hand per service is what we refuse to do (STYLE.md 1), so the model's templates
are compiled once per service and matched generically.

How candidates are ranked, for a request that fits several templates:

* a candidate is out if a literal query key of its template is missing (``?tagging``,
  ``?list-type=2``), or a member it requires in the query string or a header is
  absent (CopyObject needs ``x-amz-copy-source``, UploadPart needs ``partNumber``);
* among the rest, the most literal query keys wins, then the most required members
  satisfied, then the most literal path characters (``/functions/{F}/policy`` over
  ``/functions/{F}``), then a current operation over a deprecated one with the same
  template (PutBucketLifecycleConfiguration over PutBucketLifecycle); a remaining tie
  goes to the operation first in the model (ListBuckets over ListDirectoryBuckets,
  which only S3 Express endpoints serve).
"""

from __future__ import annotations

import re
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any
from urllib.parse import unquote

from botocore.model import OperationModel, ServiceModel

_LABEL = re.compile(r"\{([^}]+)\}")
_lock = threading.Lock()


@dataclass(frozen=True, slots=True)
class Route:
    operation: str
    method: str
    pattern: re.Pattern[str]
    labels: tuple[str, ...]  # member names, one per group of ``pattern``
    literal_query: tuple[tuple[str, str | None], ...]
    required_query: frozenset[str]  # wire names of required query-string members
    required_headers: frozenset[str]  # lower-case names of required header members
    literal_chars: int
    current: int  # 0 for a deprecated operation that shares its template with its successor


@dataclass(frozen=True, slots=True)
class RouteMatch:
    operation: str
    labels: dict[str, str]  # member name -> decoded value


def _located(op: OperationModel, location: str, *, required: bool) -> dict[str, str]:
    """Input members bound to ``location`` (uri/querystring/header): wire name -> member."""
    shape = op.input_shape
    if shape is None:
        return {}
    wanted = set(shape.required_members) if required else None
    found = {}
    for name, member in shape.members.items():
        if member.serialization.get("location") != location:
            continue
        if wanted is not None and name not in wanted:
            continue
        found[member.serialization.get("name", name)] = name
    return found


def _compile(op: OperationModel) -> Route:
    template = str(op.http["requestUri"])
    path, _, query = template.partition("?")
    by_label = _located(op, "uri", required=False)
    regex, labels, literal_chars, position = "", [], 0, 0
    for found in _LABEL.finditer(path):
        literal = path[position : found.start()]
        regex += re.escape(literal)
        literal_chars += len(literal)
        name = found.group(1)
        greedy = name.endswith("+")
        name = name.rstrip("+")
        regex += "(.+)" if greedy else "([^/]+)"
        labels.append(by_label.get(name, name))
        position = found.end()
    tail = path[position:]
    regex += re.escape(tail)
    literal_chars += len(tail)
    if not regex.endswith(("/", "(.+)")):
        regex += "/?"
    literal_query = []
    for part in query.split("&"):
        if part:
            key, equals, value = part.partition("=")
            literal_query.append((key, value if equals else None))
    return Route(
        operation=op.name,
        method=str(op.http["method"]).upper(),
        pattern=re.compile(regex + r"\Z"),
        labels=tuple(labels),
        literal_query=tuple(literal_query),
        required_query=frozenset(_located(op, "querystring", required=True)),
        required_headers=frozenset(name.lower() for name in _located(op, "header", required=True)),
        literal_chars=literal_chars,
        current=0 if op.deprecated else 1,
    )


@cache
def routes(model: ServiceModel) -> dict[str, list[Route]]:
    """The service's templates by HTTP method, compiled once."""
    with _lock:
        table: dict[str, list[Route]] = {}
        for name in model.operation_names:
            op = model.operation_model(name)
            if "requestUri" in op.http:
                route = _compile(op)
                table.setdefault(route.method, []).append(route)
        return table


def _score(
    route: Route, path: str, query: Mapping[str, str], headers: Mapping[str, Any]
) -> tuple[tuple[int, int, int, int], re.Match[str]] | None:
    found = route.pattern.match(path)
    if found is None:
        return None
    for key, value in route.literal_query:
        if key == "x-id":  # a disambiguator newer SDKs send; older ones do not
            if key in query and query[key] != route.operation:
                return None
            continue
        if key not in query or (value is not None and query[key] != value):
            return None
    if not route.required_query <= query.keys():
        return None
    if any(name not in headers for name in route.required_headers):
        return None
    required = len(route.required_query) + len(route.required_headers)
    return (len(route.literal_query), required, route.literal_chars, route.current), found


def match(
    model: ServiceModel,
    method: str,
    path: str,
    query: Mapping[str, str],
    headers: Mapping[str, Any],
) -> RouteMatch | None:
    """The operation ``method path?query`` invokes, with its decoded URI labels.

    ``path`` is raw (percent-encoded) so an encoded ``/`` inside a label stays inside it;
    ``headers`` has lower-case names.
    """
    best: tuple[tuple[int, int, int, int], Route, re.Match[str]] | None = None
    for route in routes(model).get(method.upper(), ()):
        scored = _score(route, path, query, headers)
        if scored is not None and (best is None or scored[0] > best[0]):
            best = (scored[0], route, scored[1])
    if best is None:
        return None
    _, route, found = best
    labels = {
        name: unquote(value) for name, value in zip(route.labels, found.groups(), strict=True)
    }
    return RouteMatch(route.operation, labels)
