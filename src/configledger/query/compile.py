"""A checked ``Query`` as SQL on the store, for SQLite (JSON1) and PostgreSQL (jsonb).

The source is ``query_resources`` or a point-in-time copy of it with the same columns.
Top-level properties are columns. A path's leaf values are the array under its key in
``properties``: a predicate on it is ``EXISTS`` over the array's elements (json_each /
jsonb_array_elements), typed by the literal: a string matches string leaves, a number
number leaves, a boolean boolean leaves. A literal that is an IPv4 address or CIDR
block matches the ``cidr:`` ranges instead, by containment (spec 8.1).

Every atomic predicate is two-valued (a missing value makes it false, so NOT makes it
true), and results are ordered by the query's ORDER BY, then by the resource's key, so
that offset paging is stable.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import count
from typing import Any

import orjson
from sqlalchemy import (
    BigInteger,
    ColumnElement,
    FromClause,
    Numeric,
    Select,
    and_,
    case,
    cast,
    false,
    func,
    literal,
    literal_column,
    not_,
    or_,
    select,
    true,
    tuple_,
)
from sqlalchemy.dialects.postgresql import JSONB

from configledger.query.ast import (
    Aggregate,
    And,
    Between,
    Compare,
    Condition,
    Field,
    In,
    Kind,
    Like,
    Not,
    Op,
    Or,
    Property,
    Query,
    Value,
)
from configledger.store.query_rows import CIDR_PREFIX, ipv4_range

Partition = tuple[str, str]
_KEY_COLUMNS = ("account_id", "region", "resource_type", "resource_id")
Bool = ColumnElement[bool]
Expr = ColumnElement[Any]


@dataclass(frozen=True, slots=True)
class Element:
    """One leaf of a path inside an EXISTS: how to test its type and read its value."""

    is_text: Bool
    text: Expr
    is_number: Bool
    number: Expr
    boolean_type: Callable[[bool], Bool]
    first: Expr  # for cidr: ranges, the first address
    last: Expr


@dataclass(frozen=True, slots=True)
class Output:
    """How one result column is computed and read back: ``columns`` are selected,
    ``read`` turns their values into the JSON value of the field."""

    columns: tuple[Expr, ...]
    read: Callable[[Sequence[Any]], Any]


class Dialect:
    """What differs between the stores: JSON access and text ordering."""

    def __init__(self, source: FromClause, name: str) -> None:
        self.source = source
        self.props = source.c.properties
        self.postgres = name == "postgresql"
        self._aliases = count(1)

    # -- leaves of a path -----------------------------------------------------------------

    def any_element(self, key: str, test: Callable[[Element], Bool]) -> Bool:
        alias = f"e{next(self._aliases)}"
        if self.postgres:
            table = (
                func.jsonb_array_elements(self.props.op("->")(_sql_string(key)))
                .table_valued("value")
                .alias(alias)
            )
            v = table.c.value
            typeof = func.jsonb_typeof(v)
            scalar = v.op("#>>")(literal_column("'{}'"))
            element = Element(
                is_text=typeof == "string",
                text=scalar.collate("C"),
                is_number=typeof == "number",
                number=case((typeof == "number", cast(scalar, Numeric))),
                boolean_type=lambda b: scalar == ("true" if b else "false"),
                first=cast(v.op("->>")(literal_column("0")), BigInteger),
                last=cast(v.op("->>")(literal_column("1")), BigInteger),
            )
        else:
            table = (
                func.json_each(self.props, _sql_string(self.json_path(key)))
                .table_valued("value", "type")
                .alias(alias)
            )
            v, t = table.c.value, table.c.type
            element = Element(
                is_text=t == "text",
                text=v,
                is_number=t.in_(("integer", "real")),
                number=v,
                boolean_type=lambda b: t == ("true" if b else "false"),
                first=func.json_extract(v, "$[0]"),
                last=func.json_extract(v, "$[1]"),
            )
        return select(literal(1)).select_from(table).where(test(element)).exists()

    @staticmethod
    def json_path(key: str, index: int | None = None) -> str:
        return f'$."{key}"' + (f"[{index}]" if index is not None else "")

    def first_json(self, key: str) -> Expr:
        """The first leaf as JSON (text in SQLite, jsonb in PostgreSQL), for GROUP BY."""
        if self.postgres:
            return self.props.op("->")(_sql_string(key)).op("->")(literal_column("0"))
        return self.props.op("->")(_sql_string(self.json_path(key, 0)))

    def first_sort_keys(self, key: str) -> tuple[Expr, ...]:
        """Sort keys of the first leaf: numbers numerically, strings by code point."""
        if self.postgres:
            first = self.props.op("->")(_sql_string(key)).op("->")(literal_column("0"))
            scalar = first.op("#>>")(literal_column("'{}'"))
            return (
                case((func.jsonb_typeof(first) == "number", cast(scalar, Numeric))),
                case((func.jsonb_typeof(first) != "number", scalar)).collate("C"),
            )
        return (func.json_extract(self.props, _sql_string(self.json_path(key, 0))),)

    def first_number(self, key: str) -> Expr:
        if self.postgres:
            first = self.props.op("->")(_sql_string(key)).op("->")(literal_column("0"))
            return case(
                (
                    func.jsonb_typeof(first) == "number",
                    cast(first.op("#>>")(literal_column("'{}'")), Numeric),
                )
            )
        path = _sql_string(self.json_path(key, 0))
        return case(
            (
                func.json_type(self.props, path).in_(("integer", "real")),
                func.json_extract(self.props, path),
            )
        )

    def text_sort(self, column: Expr) -> Expr:
        """Code-point order; the key columns have it already (schema.QueryKey)."""
        if self.postgres and getattr(column, "name", None) not in _KEY_COLUMNS:
            return column.collate("C")
        return column

    def like(self, value: Expr, pattern: str) -> Bool:
        """LIKE, case sensitive on both stores (SQLite's LIKE folds ASCII case: GLOB)."""
        if self.postgres:
            return value.like(pattern.replace("\\", "\\\\"))
        glob = "".join(
            "*" if ch == "%" else "?" if ch == "_" else f"[{ch}]" if ch in "*?[" else ch
            for ch in pattern
        )
        return value.op("GLOB", is_comparison=True)(glob)


class Compiler:
    def __init__(self, query: Query, dialect: Dialect) -> None:
        self.query = query
        self.d = dialect
        self.c = dialect.source.c

    # -- conditions -----------------------------------------------------------------------

    def condition(self, node: Condition) -> Bool:
        if isinstance(node, And):
            return and_(*(self.condition(n) for n in node.items))
        if isinstance(node, Or):
            return or_(*(self.condition(n) for n in node.items))
        if isinstance(node, Not):
            return not_(self.condition(node.item))
        prop = node.prop
        if prop.kind is Kind.JSON:
            return self._json_condition(node)
        stored = self.c[_column(prop)]
        nullable = bool(stored.nullable)
        column: Expr = stored
        if prop.kind is Kind.TEXT and _orders(node):
            column = self.d.text_sort(stored)
        test = self._scalar_test(node)
        # Two-valued: a missing value fails the predicate (and NOT then holds).
        return func.coalesce(test(column), false()) if nullable else test(column)

    def _scalar_test(self, node: Condition) -> Callable[[Expr], Bool]:
        if isinstance(node, Compare):
            return lambda v: _compare(v, node.op, node.value)
        if isinstance(node, Between):
            return lambda v: and_(v >= node.low, v <= node.high)
        if isinstance(node, In):
            return lambda v: v.in_(list(node.values))
        assert isinstance(node, Like)
        return lambda v: self.d.like(v, node.pattern)

    def _json_condition(self, node: Condition) -> Bool:
        assert isinstance(node, Compare | Between | In | Like)
        key = node.prop.key
        assert key is not None
        if isinstance(node, Like):
            return self.d.any_element(
                key, lambda e: and_(e.is_text, self.d.like(e.text, node.pattern))
            )
        values = (
            [node.value]
            if isinstance(node, Compare)
            else [node.low, node.high]
            if isinstance(node, Between)
            else list(node.values)
        )
        ranges = [ipv4_range(v) if isinstance(v, str) else None for v in values]
        if all(r is not None for r in ranges):
            return self._cidr_condition(CIDR_PREFIX + key, node, ranges)  # type: ignore[arg-type]
        if isinstance(node, In):
            return or_(*(self._json_condition(Compare(node.prop, Op.EQ, v)) for v in node.values))
        if isinstance(node, Between):
            if type(node.low) is not type(node.high) and not (
                _is_number(node.low) and _is_number(node.high)
            ):
                return false()
            return self.d.any_element(
                key,
                lambda e: and_(
                    *_typed(e, node.low), _value(e, node.low) >= node.low,
                    _value(e, node.high) <= node.high,
                ),
            )  # fmt: skip
        assert isinstance(node, Compare)
        value = node.value
        if node.op is Op.EQ and self.d.postgres:
            # Containment reads the document once, without unnesting its array.
            document = orjson.dumps({key: [value]}).decode()
            return self.d.props.op("@>", is_comparison=True)(cast(literal(document), JSONB))
        if isinstance(value, bool):
            if node.op not in (Op.EQ, Op.NE):
                raise_unsupported(
                    f"'{node.prop.text}' {node.op} {value}: booleans compare with = and !="
                )
            wanted = value if node.op is Op.EQ else not value
            return self.d.any_element(key, lambda e: e.boolean_type(wanted))
        return self.d.any_element(
            key, lambda e: and_(*_typed(e, value), _compare(_value(e, value), node.op, value))
        )

    def _cidr_condition(
        self, key: str, node: Compare | Between | In | Like, ranges: list[tuple[int, int]]
    ) -> Bool:
        """Stored ranges against addresses: = and BETWEEN mean "contains", < and > look
        at the range's first and last address (spec 8.1)."""
        if isinstance(node, In):
            return or_(*(self.d.any_element(key, _contains(first, last)) for first, last in ranges))
        if isinstance(node, Between):
            low, high = ranges[0][0], ranges[1][1]
            return self.d.any_element(key, lambda e: and_(e.first <= low, e.last >= high))
        assert isinstance(node, Compare)
        first, last = ranges[0]
        tests: dict[Op, Callable[[Element], Bool]] = {
            Op.EQ: lambda e: and_(e.first <= first, e.last >= last),
            Op.NE: lambda e: not_(and_(e.first <= first, e.last >= last)),
            Op.LT: lambda e: e.first < first,
            Op.LE: lambda e: e.first <= first,
            Op.GT: lambda e: e.last > last,
            Op.GE: lambda e: e.last >= last,
        }
        return self.d.any_element(key, tests[node.op])

    # -- fields ---------------------------------------------------------------------------

    def sort_keys(self, field: Field) -> tuple[Expr, ...]:
        """Sort keys of a property of an ungrouped query (aggregates make it grouped)."""
        assert isinstance(field, Property)
        if field.kind is Kind.JSON:
            assert field.key is not None
            return self.d.first_sort_keys(field.key)
        column = self.c[_column(field)]
        return (self.d.text_sort(column) if field.kind is Kind.TEXT else column,)


def _orders(node: Condition) -> bool:
    """Whether ``node`` compares by order (where text collation matters)."""
    return isinstance(node, Between) or (
        isinstance(node, Compare) and node.op not in (Op.EQ, Op.NE)
    )


def _column(prop: Property) -> str:
    assert prop.column is not None
    return prop.column


def _aggregate(function: str, value: Expr) -> Expr:
    if function == "SUM":
        return func.sum(value)
    if function == "AVG":
        return func.avg(value)
    if function == "MIN":
        return func.min(value)
    return func.max(value)


def _contains(first: int, last: int) -> Callable[[Element], Bool]:
    return lambda e: and_(e.first <= first, e.last >= last)


def _sql_string(text: str) -> Expr:
    """``text`` as an SQL string literal rather than a bound parameter: PostgreSQL
    matches GROUP BY expressions by their text, and each bound parameter is a new one."""
    return literal_column("'" + text.replace("'", "''") + "'")


def raise_unsupported(message: str) -> None:
    from configledger.query.parse import invalid

    raise invalid(f"Not supported: {message}.")


def _is_number(value: Value) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _typed(e: Element, value: Value) -> tuple[Bool, ...]:
    return (e.is_number,) if _is_number(value) else (e.is_text,)


def _value(e: Element, value: Value) -> Expr:
    return e.number if _is_number(value) else e.text


def _compare(left: Expr, op: Op, value: Value) -> Bool:
    if op is Op.EQ:
        return left == value
    if op is Op.NE:
        return left != value
    if op is Op.LT:
        return left < value
    if op is Op.LE:
        return left <= value
    if op is Op.GT:
        return left > value
    return left >= value


def _decode_json(value: Any) -> Any:
    return None if value is None else orjson.loads(value)


def _number(value: Any) -> Any:
    from decimal import Decimal

    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def _first_present(values: Sequence[Any]) -> Any:
    for value in values:
        if value is not None:
            return _number(value)
    return None


@dataclass(frozen=True, slots=True)
class Plan:
    statement: Select[Any]
    outputs: tuple[Output, ...]  # grouped: one per field; rows: none (documents are read)
    grouped: bool


def plan(
    query: Query,
    source: FromClause,
    dialect_name: str,
    partitions: Sequence[Partition],
    *,
    offset: int,
    limit: int,
    resource_types: Sequence[str] | None = None,
    unique_keys: bool = True,
) -> Plan:
    """The statement answering one page (``limit`` rows from ``offset``) of ``query``."""
    compiler = Compiler(query, Dialect(source, dialect_name))
    c = source.c
    if len(partitions) == 1:
        where: list[Bool] = [c.account_id == partitions[0][0], c.region == partitions[0][1]]
    else:
        where = [tuple_(c.account_id, c.region).in_(list(partitions))]
    if resource_types is not None:
        where.append(c.resource_type.in_(list(resource_types)))
    if query.where is not None:
        where.append(compiler.condition(query.where))
    if query.grouped:
        return _grouped(query, compiler, where, offset=offset, limit=limit)
    order: list[Expr] = []
    for item in query.order_by:
        for key in compiler.sort_keys(item.field):
            order.append(_direction(key, item.descending))
    # The key's columns compare by code point on both stores (schema.QueryKey), so this
    # order is the primary key's and a first page stops early. A window's copy holds
    # several items per resource: their capture order breaks the tie.
    order.extend([c.account_id.asc(), c.region.asc(), c.resource_type.asc(), c.resource_id.asc()])
    if not unique_keys:
        order.append(c.state_id.asc())
    statement = select(c.item_seq).where(*where).order_by(*order).offset(offset).limit(limit)
    return Plan(statement, (), grouped=False)


def _direction(key: Expr, descending: bool) -> Expr:
    return key.desc().nulls_last() if descending else key.asc().nulls_first()


def _grouped(
    query: Query, compiler: Compiler, where: list[Bool], *, offset: int, limit: int
) -> Plan:
    """A grouped query in two levels: the inner select reads each matching row's values
    once (a JSON document is parsed once per row, not once per use); the outer one groups
    and aggregates those small values."""
    d = compiler.d
    values: list[Expr] = []

    def per_row(expr: Expr) -> int:
        values.append(expr.label(f"v{len(values)}"))
        return len(values) - 1

    def row_value(prop: Property) -> Expr:
        if prop.kind is Kind.JSON:
            assert prop.key is not None
            return d.first_json(prop.key)
        return compiler.c[_column(prop)]

    groups = {prop.text: per_row(row_value(prop)) for prop in query.group_by}
    aggregates: dict[str, tuple[str, list[int]]] = {}

    def aggregate_columns(agg: Aggregate) -> tuple[str, list[int]]:
        if agg.text in aggregates:
            return aggregates[agg.text]
        prop = agg.argument
        if prop is None:
            found: tuple[str, list[int]] = ("COUNT", [])
        elif agg.function == "COUNT":
            found = ("COUNT", [per_row(row_value(prop))])
        elif agg.function in ("SUM", "AVG"):
            if prop.kind is Kind.JSON:
                assert prop.key is not None
                found = (agg.function, [per_row(d.first_number(prop.key))])
            elif prop.kind is Kind.NUMBER:
                found = (agg.function, [per_row(compiler.c[_column(prop)])])
            else:
                raise_unsupported(f"{agg.text}: '{prop.text}' is not a number")
                raise AssertionError
        elif prop.kind is Kind.JSON:
            assert prop.key is not None
            found = (agg.function, [per_row(k) for k in d.first_sort_keys(prop.key)])
        else:
            column = compiler.c[_column(prop)]
            key = d.text_sort(column) if prop.kind is Kind.TEXT else column
            found = (agg.function, [per_row(key)])
        aggregates[agg.text] = found
        return found

    for field in (*query.fields, *(o.field for o in query.order_by)):
        if isinstance(field, Aggregate):
            aggregate_columns(field)
    if not values:
        values.append(literal(1).label("v0"))
    # Materialized: else both stores inline the values into GROUP BY and ORDER BY, where
    # SQLite parses each document again per use and PostgreSQL sorts whole documents.
    inner = select(*values).where(*where).cte("matched").prefix_with("MATERIALIZED")
    v = inner.c

    def outer_aggregate(agg: Aggregate) -> Output:
        function, positions = aggregates[agg.text]
        if function == "COUNT":
            counted = func.count(v[f"v{positions[0]}"]) if positions else func.count()
            return Output((counted,), lambda r: int(r[0]))
        columns = tuple(_aggregate(function, v[f"v{p}"]) for p in positions)
        if function in ("SUM", "AVG"):
            return Output(columns, lambda r: _number(r[0]))
        if agg.argument is not None and agg.argument.kind is Kind.JSON:
            return Output(columns, _first_present)
        return Output(columns, lambda r: r[0])

    def group_sort_keys(prop: Property) -> tuple[Expr, ...]:
        g = v[f"v{groups[prop.text]}"]
        if prop.kind is not Kind.JSON:
            return (g,)
        if d.postgres:
            scalar = g.op("#>>")(literal_column("'{}'"))
            return (
                case((func.jsonb_typeof(g) == "number", cast(scalar, Numeric))),
                case((func.jsonb_typeof(g) != "number", scalar)).collate("C"),
            )
        return (func.json_extract(g, "$"),)

    def group_output(prop: Property) -> Output:
        g = v[f"v{groups[prop.text]}"]
        if prop.kind is Kind.JSON and not d.postgres:  # psycopg decodes jsonb itself
            return Output((g,), lambda r: _decode_json(r[0]))
        return Output((g,), lambda r: r[0])

    outputs = tuple(
        outer_aggregate(f) if isinstance(f, Aggregate) else group_output(f) for f in query.fields
    )
    order: list[Expr] = []
    for item in query.order_by:
        if isinstance(item.field, Aggregate):
            keys = outer_aggregate(item.field).columns[:1]
        else:
            keys = group_sort_keys(item.field)
        order.extend(_direction(k, item.descending) for k in keys)
    for prop in query.group_by:
        if not any(o.field == prop for o in query.order_by):
            order.extend(_direction(k, False) for k in group_sort_keys(prop))
    statement = select(*(col for output in outputs for col in output.columns)).select_from(inner)
    if groups:
        statement = statement.group_by(*(v[f"v{i}"] for i in groups.values()))
    statement = statement.order_by(*order).offset(offset).limit(limit)
    return Plan(statement, outputs, grouped=True)


__all__ = ["Plan", "plan", "true"]
