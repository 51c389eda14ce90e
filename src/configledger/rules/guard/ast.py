"""The Guard syntax tree: what a policy says, with where it says it.

Frozen dataclasses, built once by ``parse`` and shared by every evaluation (a policy is
evaluated against thousands of items, so everything that can be decided from the text
alone, such as compiled regular expressions, is decided here). ``Location`` rides along
on the nodes a failure message or a syntax error has to point at.

The shape follows the language: a ``Policy`` holds ``let`` assignments and named
``Rule``s; a ``Block`` is lets plus a conjunction of disjunctions (clauses on separate
lines are ANDed, ``or`` joins neighbours); a ``Clause`` is a comparison, a reference to
another rule, a query block or a ``when`` block.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Union


@dataclass(frozen=True, slots=True)
class Location:
    line: int  # 1-based
    column: int  # 1-based


# -- literals ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Regex:
    """``/pattern/``: matches a string when the pattern is found anywhere in it (Guard
    uses search semantics; anchor with ``^``/``$`` for a full match)."""

    pattern: str
    compiled: re.Pattern[str]

    def __str__(self) -> str:
        return f"/{self.pattern}/"


@dataclass(frozen=True, slots=True)
class Range:
    """``r[lo, hi]``, ``r(lo, hi)`` and the half-open mixes: numbers (or strings) k with
    lo <(=) k <(=) hi."""

    lower: int | float | str
    upper: int | float | str
    lower_inclusive: bool
    upper_inclusive: bool

    def __str__(self) -> str:
        left = "[" if self.lower_inclusive else "("
        right = "]" if self.upper_inclusive else ")"
        return f"r{left}{self.lower!r}, {self.upper!r}{right}"


# A value as written in a policy: JSON values plus regexes and ranges (lists may hold
# regexes too, e.g. ``Type IN [/IAM::Policy/, /IAM::ManagedPolicy/]``).
Value = Union[None, bool, int, float, str, Regex, Range, "tuple[Value, ...]", "dict[str, Value]"]


@dataclass(frozen=True, slots=True)
class Literal:
    value: Value
    location: Location


# -- queries ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Key:
    """``.name`` or ``.'quoted name'``: one step down a struct."""

    name: str


@dataclass(frozen=True, slots=True)
class Index:
    """``[3]`` or ``[-1]``: one element of a list."""

    index: int


@dataclass(frozen=True, slots=True)
class AllIndices:
    """``[*]``: every element of a list."""


@dataclass(frozen=True, slots=True)
class AllValues:
    """``.*``: every value of a struct (or element of a list)."""


@dataclass(frozen=True, slots=True)
class Filter:
    """``[ clauses ]``: the elements (or the struct itself) for which the clauses pass."""

    conditions: Conjunction


@dataclass(frozen=True, slots=True)
class MapKeyFilter:
    """``[ keys == /pattern/ ]``: the values of a struct whose keys compare true."""

    operator: str
    negated: bool
    rhs: Literal | Query


@dataclass(frozen=True, slots=True)
class Variable:
    """``%name`` as the first step of a query."""

    name: str


@dataclass(frozen=True, slots=True)
class This:
    """``this``: the value the enclosing block or filter is looking at."""


Part = Key | Index | AllIndices | AllValues | Filter | MapKeyFilter | Variable | This


@dataclass(frozen=True, slots=True)
class Query:
    parts: tuple[Part, ...]
    text: str  # as written, for messages
    location: Location


# -- clauses ----------------------------------------------------------------------------

UNARY_OPERATORS = frozenset(
    {
        "exists",
        "empty",
        "is_string",
        "is_list",
        "is_struct",
        "is_bool",
        "is_int",
        "is_float",
        "is_null",
    }
)
BINARY_OPERATORS = frozenset({"==", "!=", "<", "<=", ">", ">=", "in"})


@dataclass(frozen=True, slots=True)
class Comparison:
    """``[some] query [not] operator [value]``: ``rhs`` is None for unary operators."""

    lhs: Query
    operator: str  # one of UNARY_OPERATORS or BINARY_OPERATORS (lower case)
    negated: bool
    rhs: Literal | Query | None
    some: bool
    message: str | None
    location: Location


@dataclass(frozen=True, slots=True)
class RuleReference:
    """A named rule used as a clause: passes when that rule passes."""

    name: str
    negated: bool
    message: str | None
    location: Location


@dataclass(frozen=True, slots=True)
class QueryBlock:
    """``[some] query { ... }``: the block holds for every (some) value of the query."""

    query: Query
    some: bool
    body: Block
    location: Location


@dataclass(frozen=True, slots=True)
class WhenBlock:
    """``when conditions { ... }``: the block, evaluated only when the conditions pass."""

    conditions: Conjunction
    body: Block
    location: Location


Clause = Comparison | RuleReference | QueryBlock | WhenBlock
Disjunction = tuple[Clause, ...]  # clauses joined by ``or``
Conjunction = tuple[Disjunction, ...]  # disjunctions on separate lines, all must hold


@dataclass(frozen=True, slots=True)
class Let:
    name: str
    value: Literal | Query
    location: Location


@dataclass(frozen=True, slots=True)
class Block:
    lets: tuple[Let, ...]
    clauses: Conjunction


@dataclass(frozen=True, slots=True)
class Rule:
    name: str
    conditions: Conjunction | None
    body: Block
    location: Location


# Clauses written outside any ``rule`` belong to a rule of this name, as in Guard.
DEFAULT_RULE = "default"


@dataclass(frozen=True, slots=True)
class Policy:
    """Rules in the order written. Rules sharing a name are one rule, as in cfn-guard:
    it fails if any of them fails, passes if any passes and none fails, and is skipped
    otherwise. A ``let`` repeated in one scope takes its last value."""

    lets: tuple[Let, ...]
    rules: tuple[Rule, ...]
    text: str
