"""From expression text to a checked ``Query``: sqlglot parses, this module refuses.

AWS Config's grammar (spec 8.1) is a SELECT without FROM: properties and aggregates,
WHERE with comparisons, BETWEEN, IN, LIKE, AND, OR, NOT, GROUP BY (up to three
properties) and ORDER BY. Everything else SQL allows -- FROM, joins, subqueries, UNION,
HAVING, aliases, DISTINCT, NULL tests, arithmetic, functions other than the five
aggregates -- is refused with InvalidExpressionException naming what was found.

``extensions=True`` (the CLI and the extension endpoint, never the AWS wire) also
allows LIKE patterns of any shape, DISTINCT, and ``tags.<key>``.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

import sqlglot
from sqlglot import exp
from sqlglot.errors import ParseError, TokenError

from configledger.errors import InvalidExpressionException
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
    Order,
    Property,
    Query,
    Value,
)

# Top-level scalars: property -> (column of query_resources, how it compares).
TOP_LEVEL: dict[str, tuple[str, Kind]] = {
    "accountId": ("account_id", Kind.TEXT),
    "arn": ("arn", Kind.TEXT),
    "availabilityZone": ("availability_zone", Kind.TEXT),
    "awsRegion": ("aws_region", Kind.TEXT),
    "configurationItemCaptureTime": ("capture_ms", Kind.TIME),
    "configurationItemStatus": ("status", Kind.TEXT),
    "configurationStateId": ("state_id", Kind.NUMBER),
    "resourceCreationTime": ("creation_ms", Kind.TIME),
    "resourceId": ("resource_id", Kind.TEXT),
    "resourceName": ("resource_name", Kind.TEXT),
    "resourceType": ("resource_type", Kind.TEXT),
    "version": ("version", Kind.TEXT),
}
# What SELECT * returns (spec 8.1): the top-level scalars, in this order.
STAR = (
    "accountId",
    "awsRegion",
    "arn",
    "availabilityZone",
    "configurationItemCaptureTime",
    "resourceCreationTime",
    "resourceId",
    "resourceName",
    "resourceType",
    "version",
)
WHOLE = ("configuration", "supplementaryConfiguration", "tags", "relationships")
TAG_FIELDS = ("key", "value", "tag")
RELATIONSHIP_FIELDS = ("resourceId", "resourceName", "resourceType", "relationshipName")
MAX_GROUP_BY = 3
_COMPARISONS: dict[type[exp.Expression], Op] = {
    exp.EQ: Op.EQ,
    exp.NEQ: Op.NE,
    exp.LT: Op.LT,
    exp.LTE: Op.LE,
    exp.GT: Op.GT,
    exp.GTE: Op.GE,
}
_AGGREGATES: dict[type[exp.Expression], str] = {
    exp.Count: "COUNT",
    exp.Min: "MIN",
    exp.Max: "MAX",
    exp.Sum: "SUM",
    exp.Avg: "AVG",
}
# Clauses of a sqlglot Select that AWS Config's grammar does not have.
_REFUSED_CLAUSES = {
    "from_": "FROM",
    "from": "FROM",
    "joins": "JOIN",
    "having": "HAVING",
    "limit": "LIMIT (use the Limit parameter)",
    "offset": "OFFSET (use NextToken)",
    "with_": "WITH",
    "with": "WITH",
    "windows": "WINDOW",
    "qualify": "QUALIFY",
    "laterals": "LATERAL",
    "into": "INTO",
    "locks": "FOR UPDATE",
    "sort": "SORT BY",
    "cluster": "CLUSTER BY",
    "distribute": "DISTRIBUTE BY",
}
_PREFIX_LIKE = re.compile(r"^[^%_]{3,}[%_]*$")


def invalid(message: str) -> InvalidExpressionException:
    return InvalidExpressionException(message)


def parse(expression: str, *, extensions: bool = False) -> Query:
    """The checked query of ``expression``; InvalidExpressionException when AWS Config
    (or, with ``extensions``, ConfigLedger's extended grammar) refuses it."""
    try:
        statements = [s for s in sqlglot.parse(expression) if s is not None]
    except (ParseError, TokenError) as error:
        raise invalid(f"The expression is not valid SQL: {_first_error(error)}") from None
    if len(statements) != 1:
        raise invalid("The expression must be exactly one SELECT statement.")
    return _Checker(extensions).query(statements[0])


def _first_error(error: Exception) -> str:
    errors = getattr(error, "errors", None)
    if errors:
        first = errors[0]
        description = first.get("description", str(error))
        line, col = first.get("line"), first.get("col")
        return f"{description} (line {line}, column {col})" if line else description
    return str(error).splitlines()[0]


class _Checker:
    def __init__(self, extensions: bool) -> None:
        self.extensions = extensions
        self.seen: dict[str, str] = {}  # lower-cased path -> the spelling first used

    # -- statement ------------------------------------------------------------------------

    def query(self, statement: exp.Expr) -> Query:
        if isinstance(statement, exp.SetOperation):
            name = type(statement).__name__.upper()
            raise invalid(f"{name} is not supported: the expression must be one SELECT.")
        if not isinstance(statement, exp.Select):
            raise invalid(
                f"Only SELECT is supported, found {statement.key.upper()}: "
                "the expression must start with SELECT."
            )
        for arg, clause in _REFUSED_CLAUSES.items():
            if statement.args.get(arg):
                if arg.startswith("from"):
                    raise invalid(
                        "FROM is not supported: a query always reads the recorded resources "
                        "(SELECT ... WHERE ...)."
                    )
                raise invalid(f"{clause} is not supported in an advanced query.")
        for node in statement.walk():
            if node is not statement and isinstance(node, exp.Select | exp.Subquery):
                raise invalid("Subqueries are not supported in an advanced query.")
        distinct = statement.args.get("distinct") is not None
        if distinct and not self.extensions:
            raise invalid("DISTINCT is not supported (use GROUP BY).")
        fields = self._fields(statement.expressions)
        where_clause = statement.args.get("where")
        where = self.condition(where_clause.this) if where_clause is not None else None
        group = statement.args.get("group")
        group_by = tuple(self._group_property(e) for e in group.expressions) if group else ()
        if group is not None and (group.args.get("rollup") or group.args.get("cube")):
            raise invalid("ROLLUP and CUBE are not supported.")
        order = statement.args.get("order")
        order_by = tuple(self._order(o) for o in order.expressions) if order else ()
        if distinct:
            if any(isinstance(f, Aggregate) for f in fields) or group_by:
                raise invalid("DISTINCT cannot be combined with aggregates or GROUP BY.")
            group_by = tuple(f for f in fields if isinstance(f, Property))
        query = Query(fields=fields, where=where, group_by=group_by, order_by=order_by)
        self._check_grouping(query)
        return query

    def _fields(self, expressions: list[exp.Expression]) -> tuple[Field, ...]:
        fields: list[Field] = []
        for node in expressions:
            if isinstance(node, exp.Star):
                fields.extend(self.property_of(name) for name in STAR)
            elif isinstance(node, exp.Alias):
                raise invalid("AS (aliases) is not supported in an advanced query.")
            else:
                fields.append(self._field(node, selecting=True))
        if not fields:
            raise invalid("SELECT needs at least one property.")
        # A property named twice is answered once: a result is a JSON object, which has
        # one key per property. Clients send such lists (Cloud Custodian's S3 source
        # prefixes ``awsRegion`` to a list that already holds it).
        unique = {f.text: f for f in fields}
        return tuple(unique.values())

    def _field(self, node: exp.Expression, *, selecting: bool) -> Field:
        function = _AGGREGATES.get(type(node))
        if function is not None:
            return self._aggregate(function, node)
        if isinstance(node, exp.Func):
            name = node.sql_name() if hasattr(node, "sql_name") else node.key.upper()
            raise invalid(
                f"Function {name} is not supported: only COUNT, MIN, MAX, SUM and AVG are."
            )
        prop = self.property_of_node(node)
        if prop.kind is Kind.WHOLE and not selecting:
            raise invalid(f"'{prop.text}' as a whole cannot be grouped or sorted on.")
        return prop

    def _aggregate(self, function: str, node: exp.Expression) -> Aggregate:
        if node.args.get("distinct") or isinstance(node.this, exp.Distinct):
            raise invalid(f"DISTINCT inside {function}() is not supported.")
        argument = node.this
        extra = node.args.get("expressions")
        if extra:
            raise invalid(f"{function}() takes exactly one argument.")
        if isinstance(argument, exp.Star):
            if function != "COUNT":
                raise invalid(f"{function}(*) is not supported: only COUNT(*) is.")
            return Aggregate(function, None)
        if argument is None:
            raise invalid(f"{function}() needs an argument.")
        if isinstance(argument, exp.Func):
            raise invalid(f"Nested functions are not supported: {node.sql()}.")
        prop = self.property_of_node(argument)
        if prop.kind is Kind.WHOLE:
            raise invalid(f"{function}({prop.text}) is not supported: name a scalar property.")
        return Aggregate(function, prop)

    def _group_property(self, node: exp.Expression) -> Property:
        if isinstance(node, exp.Func) or type(node) in _AGGREGATES:
            raise invalid("GROUP BY takes properties, not functions or aggregates.")
        prop = self.property_of_node(node)
        if prop.kind is Kind.WHOLE:
            raise invalid(f"'{prop.text}' as a whole cannot be grouped on.")
        return prop

    def _order(self, node: exp.Expression) -> Order:
        assert isinstance(node, exp.Ordered)
        field = self._field(node.this, selecting=False)
        return Order(field, bool(node.args.get("desc")))

    def _check_grouping(self, query: Query) -> None:
        if len(query.group_by) > MAX_GROUP_BY:
            raise invalid(f"GROUP BY takes at most {MAX_GROUP_BY} properties.")
        groups = {p.text for p in query.group_by}
        if len(groups) != len(query.group_by):
            raise invalid("A property appears twice in GROUP BY.")
        ordered_by_aggregate = any(isinstance(o.field, Aggregate) for o in query.order_by)
        if ordered_by_aggregate and len(query.group_by) > 1:
            raise invalid("When ORDER BY names an aggregate, GROUP BY may name only one property.")
        if not query.grouped:
            return
        for field in query.fields:
            if isinstance(field, Property) and field.text not in groups:
                raise invalid(
                    f"'{field.text}' must appear in GROUP BY or inside an aggregate function."
                )
        for order in query.order_by:
            if isinstance(order.field, Property) and order.field.text not in groups:
                raise invalid(
                    f"ORDER BY '{order.field.text}' must appear in GROUP BY or be an aggregate."
                )

    # -- conditions -----------------------------------------------------------------------

    def condition(self, node: exp.Expression) -> Condition:
        if isinstance(node, exp.Paren):
            return self.condition(node.this)
        if isinstance(node, exp.And):
            return And(tuple(self.condition(n) for n in _flatten(node, exp.And)))
        if isinstance(node, exp.Or):
            return Or(tuple(self.condition(n) for n in _flatten(node, exp.Or)))
        if isinstance(node, exp.Not):
            return Not(self.condition(node.this))
        op = _COMPARISONS.get(type(node))
        if op is not None:
            prop = self._filtered(node.this)
            return Compare(prop, op, self.value(prop, node.expression))
        if isinstance(node, exp.Between):
            prop = self._filtered(node.this)
            return Between(
                prop, self.value(prop, node.args["low"]), self.value(prop, node.args["high"])
            )
        if isinstance(node, exp.In):
            if node.args.get("query") or node.args.get("unnest") or node.args.get("field"):
                raise invalid("IN takes a list of values, not a subquery.")
            prop = self._filtered(node.this)
            values = tuple(self.value(prop, v) for v in node.expressions)
            if not values:
                raise invalid(f"IN needs at least one value for '{prop.text}'.")
            return In(prop, values)
        if isinstance(node, exp.Like):
            return self._like(node)
        if isinstance(node, exp.ILike):
            raise invalid("ILIKE is not supported: LIKE is case sensitive.")
        if isinstance(node, exp.Is):
            raise invalid("NULL tests (IS NULL, IS NOT NULL) are not supported.")
        if isinstance(node, exp.Column | exp.Dot):
            raise invalid(
                f"'{node.sql()}' is not a condition: compare it with a value (e.g. = 'x')."
            )
        raise invalid(f"Unsupported condition: {node.sql()}.")

    def _like(self, node: exp.Like) -> Like:
        if node.args.get("escape"):
            raise invalid("LIKE ... ESCAPE is not supported.")
        prop = self._filtered(node.this)
        pattern = node.expression
        if not (isinstance(pattern, exp.Literal) and pattern.is_string):
            raise invalid(f"LIKE needs a string pattern for '{prop.text}'.")
        text = pattern.this
        if not self.extensions and not _PREFIX_LIKE.match(text):
            raise invalid(
                f"LIKE pattern '{text}' is not supported: only prefix patterns are, with at "
                "least three characters before the wildcards (e.g. 'AWS::EC2::%')."
            )
        if prop.kind not in (Kind.TEXT, Kind.JSON):
            raise invalid(f"LIKE cannot be used on '{prop.text}'.")
        return Like(prop, text)

    def _filtered(self, node: exp.Expression) -> Property:
        if isinstance(node, exp.Literal | exp.Boolean | exp.Null):
            raise invalid(f"The left side of a comparison must be a property, found {node.sql()}.")
        if isinstance(node, exp.Func):
            raise invalid(f"Functions cannot be filtered on: {node.sql()}.")
        prop = self.property_of_node(node)
        if prop.kind is Kind.WHOLE:
            hint = {
                "tags": " (use tags.key, tags.value or tags.tag)",
                "relationships": " (use relationships.resourceId, ...)",
            }.get(prop.text, " (name a property inside it)")
            raise invalid(f"'{prop.text}' as a whole cannot be filtered on{hint}.")
        return prop

    def value(self, prop: Property, node: exp.Expression) -> Value:
        raw = _literal(node)
        if prop.kind is Kind.TIME:
            if not isinstance(raw, str):
                raise invalid(f"'{prop.text}' is a timestamp: compare it with an ISO-8601 string.")
            return parse_time(raw, prop.text)
        if prop.kind is Kind.NUMBER:
            if isinstance(raw, str) and raw.isdigit():
                return int(raw)
            if isinstance(raw, bool) or not isinstance(raw, int | float):
                raise invalid(f"'{prop.text}' is a number: compare it with a number.")
            return raw
        if prop.kind is Kind.TEXT and not isinstance(raw, str):
            raise invalid(f"'{prop.text}' is a string: compare it with a quoted string.")
        return raw

    # -- properties -----------------------------------------------------------------------

    def property_of_node(self, node: exp.Expression) -> Property:
        parts = _parts(node)
        return self.property_of(".".join(parts), parts)

    def property_of(self, text: str, parts: tuple[str, ...] | None = None) -> Property:
        parts = parts or tuple(text.split("."))
        folded = text.lower()
        first = self.seen.setdefault(folded, text)
        if first != text:
            raise invalid(
                f"'{first}' and '{text}' differ only in case: property names must be "
                "spelled one way."
            )
        root = parts[0]
        if len(parts) == 1:
            if root in TOP_LEVEL:
                column, kind = TOP_LEVEL[root]
                return Property(text, parts, kind, column=column)
            if root in WHOLE:
                return Property(text, parts, Kind.WHOLE)
            raise invalid(f"Unknown property '{text}'.")
        if root in ("configuration", "supplementaryConfiguration"):
            return Property(text, parts, Kind.JSON, key=text)
        if root == "tags":
            if len(parts) == 2 and parts[1] in TAG_FIELDS:
                return Property(text, parts, Kind.JSON, key=text)
            if not self.extensions:
                raise invalid(
                    f"Unknown property '{text}': tags are queried with tags.key, tags.value "
                    "and tags.tag."
                )
            return Property(text, parts, Kind.JSON, key="tag:" + ".".join(parts[1:]))
        if root == "relationships":
            if len(parts) == 2 and parts[1] in RELATIONSHIP_FIELDS:
                return Property(text, parts, Kind.JSON, key=text)
            raise invalid(
                f"Unknown property '{text}': relationships are queried with "
                "relationships.resourceId, resourceName, resourceType or relationshipName."
            )
        raise invalid(f"Unknown property '{text}'.")


def _flatten(node: exp.Expression, kind: type[exp.Expression]) -> list[exp.Expression]:
    out: list[exp.Expression] = []
    for child in (node.this, node.expression):
        if isinstance(child, kind):
            out.extend(_flatten(child, kind))
        else:
            out.append(child)
    return out


def _parts(node: exp.Expression) -> tuple[str, ...]:
    if isinstance(node, exp.Column):
        identifiers = [node.args.get(k) for k in ("catalog", "db", "table", "this")]
        if isinstance(node.this, exp.Star):
            raise invalid(f"'{node.sql()}' is not supported: SELECT * takes no prefix.")
        return tuple(_identifier(i) for i in identifiers if i is not None)
    if isinstance(node, exp.Dot):
        return (*_parts(node.this), _identifier(node.expression))
    if isinstance(node, exp.Identifier):
        return (_identifier(node),)
    if isinstance(node, exp.Literal | exp.Boolean | exp.Null):
        raise invalid(f"A property is expected where the value {node.sql()} is.")
    if isinstance(node, exp.Binary | exp.Unary) and not isinstance(node, exp.Dot):
        raise invalid(f"Expressions such as {node.sql()} are not supported: name a property.")
    raise invalid(f"A property is expected, found {node.sql()}.")


def _identifier(node: exp.Expression) -> str:
    if not isinstance(node, exp.Identifier):
        raise invalid(f"A property name is expected, found {node.sql()}.")
    name = str(node.this)
    if not name or '"' in name or "\\" in name:
        raise invalid(f"'{name}' is not a valid property name.")
    return name


def _literal(node: exp.Expression) -> Value:
    if isinstance(node, exp.Paren):
        return _literal(node.this)
    if isinstance(node, exp.Boolean):
        return bool(node.this)
    if isinstance(node, exp.Neg) and isinstance(node.this, exp.Literal) and not node.this.is_string:
        value = _literal(node.this)
        assert isinstance(value, int | float)
        return -value
    if isinstance(node, exp.Literal):
        if node.is_string:
            return str(node.this)
        text = str(node.this)
        try:
            return int(text)
        except ValueError:
            try:
                return float(text)
            except ValueError:
                raise invalid(f"'{text}' is not a number.") from None
    if isinstance(node, exp.Null):
        raise invalid("NULL is not supported as a value (NULL tests are not supported).")
    if isinstance(node, exp.Column | exp.Dot):
        raise invalid(
            f"Comparing two properties ({node.sql()}) is not supported: compare with a value."
        )
    raise invalid(f"A literal value is expected, found {node.sql()}.")


def parse_time(text: str, name: str) -> int:
    """An ISO-8601 date or time (UTC unless it says otherwise) as epoch milliseconds."""
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise invalid(f"'{text}' is not an ISO-8601 time for '{name}'.") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return round(moment.timestamp() * 1000)
