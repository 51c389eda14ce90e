"""The checked form of an advanced query: what the SQL subset means, without SQL.

``parse`` (configledger.query.parse) builds these from sqlglot's tree once it has
refused everything AWS Config refuses; ``compile`` turns them into SQL on the store and
``results`` renders the answer. Properties are resolved here, once: a top-level scalar
is a column of ``query_resources``, anything under ``configuration``,
``supplementaryConfiguration``, ``tags`` or ``relationships`` is a key of its
``properties`` map (see configledger.store.query_rows).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

Value = str | int | float | bool


class Kind(StrEnum):
    """How a property's values compare."""

    TEXT = "text"  # top-level strings
    TIME = "time"  # top-level timestamps (epoch ms columns; ISO-8601 literals)
    NUMBER = "number"  # configurationStateId
    JSON = "json"  # leaf values under a path: any element, typed by the literal
    WHOLE = "whole"  # tags, relationships, configuration as a whole: select only


@dataclass(frozen=True, slots=True)
class Property:
    text: str  # as written, e.g. "configuration.state.name"
    parts: tuple[str, ...]
    kind: Kind
    column: str | None = None  # for TEXT, TIME, NUMBER
    key: str | None = None  # the properties key, for JSON


@dataclass(frozen=True, slots=True)
class Aggregate:
    function: str  # COUNT, MIN, MAX, SUM, AVG
    argument: Property | None  # None for COUNT(*)

    @property
    def text(self) -> str:
        return f"{self.function}({self.argument.text if self.argument else '*'})"


Field = Property | Aggregate


class Op(StrEnum):
    EQ = "="
    NE = "!="
    LT = "<"
    LE = "<="
    GT = ">"
    GE = ">="


@dataclass(frozen=True, slots=True)
class Compare:
    prop: Property
    op: Op
    value: Value


@dataclass(frozen=True, slots=True)
class Between:
    prop: Property
    low: Value
    high: Value


@dataclass(frozen=True, slots=True)
class In:
    prop: Property
    values: tuple[Value, ...]


@dataclass(frozen=True, slots=True)
class Like:
    prop: Property
    pattern: str


@dataclass(frozen=True, slots=True)
class And:
    items: tuple[Condition, ...]


@dataclass(frozen=True, slots=True)
class Or:
    items: tuple[Condition, ...]


@dataclass(frozen=True, slots=True)
class Not:
    item: Condition


Condition = Compare | Between | In | Like | And | Or | Not


@dataclass(frozen=True, slots=True)
class Order:
    field: Field
    descending: bool


@dataclass(frozen=True, slots=True)
class Query:
    fields: tuple[Field, ...]
    where: Condition | None
    group_by: tuple[Property, ...]
    order_by: tuple[Order, ...]

    @property
    def grouped(self) -> bool:
        return bool(self.group_by) or any(isinstance(f, Aggregate) for f in self.fields)

    @property
    def select_fields(self) -> list[str]:
        return [f.text for f in self.fields]
