"""``Policy`` x document -> ``GuardResult``: Guard's three-valued evaluation.

Every clause, block and rule ends PASS, FAIL or SKIP:

* A query yields a list of results, each *resolved* (a value at a path) or
  *unresolved* (a key, index or element that is not there). A clause fails on an
  unresolved result (a retrieval error), except ``empty`` and ``not exists``, for which
  "not there" is what they assert. A query whose filter selected nothing has no results
  at all, and the clause is skipped: nothing it could talk about exists.
* Without ``some`` every result must satisfy the clause; with ``some``, at least one.
* Clauses on separate lines are ANDed, ``or`` joins neighbours: a disjunction passes if
  any clause passes, is skipped if all are; a conjunction fails if any disjunction
  fails, is skipped if all are, and passes otherwise.
* ``when`` (and a rule's ``when``) evaluates its body only when its conditions pass;
  otherwise the block is skipped. A rule used as a clause stands for its own status.
* A filter keeps the elements for which its clauses pass (see ``_Run.filter`` for
  what is tested after ``.*`` and ``[*]``); a query block holds when its body holds
  for every (or ``some``) selected value.
* Values compare only with values of the same kind (an int is not a float); lists on
  either side follow cfn-guard's rules (``_Run.check``).

The reference for every rule here is cfn-guard itself: the conformance corpus and a
differential test over random policies compare this engine with it, and the few places
where we deliberately answer otherwise are listed in the package docstring.

Failures are recorded with the rule, the clause text, the custom ``<<message>>`` and
what was found, but only for clauses whose failure decides the outcome: a subtree that
ends PASS or SKIP (an ``or`` that another clause satisfied, a ``when`` condition, a
filter) discards the failures recorded inside it.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from functools import partial
from typing import Any, NamedTuple

from . import ast


class Status(StrEnum):
    PASS = "PASS"
    FAIL = "FAIL"
    SKIP = "SKIP"


@dataclass(frozen=True, slots=True)
class Failure:
    """One failing clause: ``message`` is the policy's ``<<custom message>>`` (or None),
    ``detail`` what was compared and found."""

    rule: str
    clause: str
    message: str | None
    detail: str
    line: int
    column: int

    def describe(self) -> str:
        return self.message if self.message else self.detail


@dataclass(frozen=True, slots=True)
class GuardResult:
    """The outcome of a policy for one document: the overall ``status`` (FAIL if any
    rule failed, SKIP if every rule was skipped, PASS otherwise), each rule's status in
    policy order, and the failures of the failing rules."""

    status: Status
    rules: dict[str, Status]
    failures: tuple[Failure, ...] = field(default=())

    @property
    def messages(self) -> list[str]:
        """What to tell a user about each failure: its custom message, else the detail."""
        return [failure.describe() for failure in self.failures]


def evaluate(policy: ast.Policy, document: Any) -> GuardResult:
    """Evaluate every rule of ``policy`` against ``document`` (JSON-like: dicts, lists,
    str, int, float, bool, None)."""
    run = _Run(policy, document)
    statuses = {name: run.rule_status(name) for name in run.rules}
    failures: list[Failure] = []
    for name, status in statuses.items():
        if status is Status.FAIL:
            failures.extend(run.rule_failures[name])
    if not statuses or all(s is Status.SKIP for s in statuses.values()):
        overall = Status.SKIP
    elif any(s is Status.FAIL for s in statuses.values()):
        overall = Status.FAIL
    else:
        overall = Status.PASS
    return GuardResult(overall, statuses, tuple(failures))


# -- query results ------------------------------------------------------------------------


class Resolved(NamedTuple):
    path: str
    value: Any


class Unresolved(NamedTuple):
    path: str
    reason: str


Result = Resolved | Unresolved


_MISSING = object()


class _Scope:
    """Variables visible at a point of the policy, and the value ``this`` stands for.
    Variables are evaluated on first use, in the scope (and context) that defines them."""

    __slots__ = ("cache", "context", "lets", "parent")

    def __init__(self, parent: _Scope | None, lets: tuple[ast.Let, ...], context: Resolved) -> None:
        self.parent = parent
        self.lets = {let.name: let for let in lets} if lets else {}
        self.context = context
        self.cache: dict[str, list[Result]] = {}

    def child(self, lets: tuple[ast.Let, ...], context: Resolved | None = None) -> _Scope:
        if not lets and context is None:
            return self
        return _Scope(self, lets, context if context is not None else self.context)


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int"
    if isinstance(value, float):
        return "float"
    if isinstance(value, str):
        return "string"
    if isinstance(value, Mapping):
        return "struct"
    if isinstance(value, list | tuple):
        return "list"
    return type(value).__name__


def _show(value: Any) -> str:
    if isinstance(value, ast.Regex | ast.Range):
        return str(value)
    try:
        text = json.dumps(value, default=str, separators=(",", ":"))
    except (TypeError, ValueError):
        text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


# Types whose Python equality is Guard's (bool and int are not mixed: same type only).
_SCALARS = frozenset({str, int, float, bool, type(None)})


def _comparable(left: Any, right: Any) -> bool:
    """Guard compares values of one kind only: an int is not comparable with a float or
    a string, so both ``==`` and ``!=`` fail between them."""
    if type(left) is type(right):
        return True
    if isinstance(right, ast.Regex):
        return isinstance(left, str)
    if isinstance(right, ast.Range):
        return _kind(left) == _kind(right.lower)
    return _kind(left) == _kind(right)


def _equal(left: Any, right: Any) -> bool:
    """Structural equality without Python's conveniences: True is not 1, 1 is not 1.0,
    "1" is not 1. A regex matches by search, a range by containment."""
    kind = type(left)
    if kind is type(right) and kind in _SCALARS:
        return bool(left == right)
    if isinstance(right, ast.Regex):
        return isinstance(left, str) and right.compiled.search(left) is not None
    if isinstance(right, ast.Range):
        return _in_range(left, right)
    left_kind, right_kind = _kind(left), _kind(right)
    if left_kind != right_kind:
        return False
    if left_kind == "list":
        return len(left) == len(right) and all(map(_equal, left, right))
    if left_kind == "struct":
        return left.keys() == right.keys() and all(_equal(left[k], right[k]) for k in left)
    return bool(left == right)


def _in_range(value: Any, bounds: ast.Range) -> bool:
    if _kind(value) != _kind(bounds.lower) or _kind(value) not in ("int", "float"):
        return False
    lower_ok = value >= bounds.lower if bounds.lower_inclusive else value > bounds.lower
    upper_ok = value <= bounds.upper if bounds.upper_inclusive else value < bounds.upper
    return bool(lower_ok and upper_ok)


def _ordered(operator: str, left: Any, right: Any) -> bool:
    kind = _kind(left)
    if kind != _kind(right):
        return False
    if kind not in ("int", "float", "string"):
        # null is equal to itself, so null <= null holds (true <= true does not).
        return operator in ("<=", ">=") and kind == "null"
    if operator == "<":
        return bool(left < right)
    if operator == "<=":
        return bool(left <= right)
    if operator == ">":
        return bool(left > right)
    return bool(left >= right)


def _all_of(outcomes: list[bool | None]) -> bool | None:
    """Every comparison holds (vacuously for none); None if any was not comparable."""
    if any(outcome is None for outcome in outcomes):
        return None
    return all(outcomes)


def _list_equal(left: list[Any], right: Sequence[Any]) -> bool | None:
    """Two lists: equal when their elements are, pairwise; None when a pair is not
    comparable."""
    if len(left) != len(right):
        return False
    equal = True
    for item, other in zip(left, right, strict=True):
        if isinstance(item, list) and isinstance(other, list | tuple):
            pair = _list_equal(item, other)
        elif not _comparable(item, other):
            return None
        else:
            pair = _equal(item, other)
        if pair is None:
            return None
        equal = equal and pair
    return equal


def _member(value: Any, candidates: Sequence[Any]) -> bool:
    return any(_equal(value, candidate) for candidate in candidates)


class _Run:
    """One evaluation of a policy against one document (rule statuses are memoized:
    a rule referenced by several others is evaluated once)."""

    def __init__(self, policy: ast.Policy, document: Any) -> None:
        self.rules: dict[str, list[ast.Rule]] = {}
        for rule in policy.rules:
            self.rules.setdefault(rule.name, []).append(rule)
        self.root = _Scope(None, policy.lets, Resolved("", document))
        self.statuses: dict[str, Status] = {}
        self.rule_failures: dict[str, list[Failure]] = {}
        # Failures are described only if they survive to the result: most are dropped
        # (a failed ``when`` condition is the common case), so a comparison's is kept as
        # a deferred call, and none are kept at all while a condition is evaluated.
        self.failures: list[Failure | partial[Failure]] = []
        self.recording = True
        self.rule_name = ""

    # -- rules and blocks -----------------------------------------------------------------

    def rule_status(self, name: str) -> Status:
        found = self.statuses.get(name)
        if found is not None:
            return found
        saved = self.failures, self.rule_name, self.recording
        self.failures, self.rule_name, self.recording = [], name, True
        try:
            outcomes = set()
            for rule in self.rules[name]:
                outcome = Status.SKIP
                if rule.conditions is None or (
                    self.condition(rule.conditions, self.root) is Status.PASS
                ):
                    outcome = self.block(rule.body, self.root)
                outcomes.add(outcome)
            status = Status.SKIP
            if Status.FAIL in outcomes:
                status = Status.FAIL
            elif Status.PASS in outcomes:
                status = Status.PASS
            self.statuses[name] = status
            if status is Status.FAIL:
                self.rule_failures[name] = [
                    f if isinstance(f, Failure) else f() for f in self.failures
                ]
            else:
                self.rule_failures[name] = []
        finally:
            self.failures, self.rule_name, self.recording = saved
        return status

    def condition(self, conditions: ast.Conjunction, scope: _Scope) -> Status:
        mark, recording = len(self.failures), self.recording
        self.recording = False
        try:
            return self.conjunction(conditions, scope)
        finally:
            del self.failures[mark:]
            self.recording = recording

    def block(self, block: ast.Block, scope: _Scope, context: Resolved | None = None) -> Status:
        return self.conjunction(block.clauses, scope.child(block.lets, context))

    def conjunction(self, conjunction: ast.Conjunction, scope: _Scope) -> Status:
        mark = len(self.failures)
        failed = False
        all_skipped = True
        for disjunction in conjunction:
            status = self.disjunction(disjunction, scope)
            if status is Status.FAIL:
                failed = True
            elif status is Status.PASS:
                all_skipped = False
        if failed:
            return Status.FAIL
        del self.failures[mark:]
        return Status.SKIP if all_skipped else Status.PASS

    def disjunction(self, disjunction: ast.Disjunction, scope: _Scope) -> Status:
        if len(disjunction) == 1:
            return self.clause(disjunction[0], scope)
        mark = len(self.failures)
        all_skipped = True
        for clause in disjunction:
            status = self.clause(clause, scope)
            if status is Status.PASS:
                del self.failures[mark:]
                return Status.PASS
            if status is Status.FAIL:
                all_skipped = False
        if all_skipped:
            del self.failures[mark:]
            return Status.SKIP
        return Status.FAIL

    def clause(self, clause: ast.Clause, scope: _Scope) -> Status:
        if isinstance(clause, ast.Comparison):
            return self.comparison(clause, scope)
        if isinstance(clause, ast.RuleReference):
            return self.rule_reference(clause)
        if isinstance(clause, ast.QueryBlock):
            return self.query_block(clause, scope)
        if self.condition(clause.conditions, scope) is not Status.PASS:
            return Status.SKIP
        return self.block(clause.body, scope)

    def rule_reference(self, clause: ast.RuleReference) -> Status:
        # As a clause, a rule that was skipped counts as not passing, like one that
        # failed (as a ``when`` condition both skip the block).
        passed = self.rule_status(clause.name) is Status.PASS
        status = Status.PASS if passed != clause.negated else Status.FAIL
        if status is Status.FAIL:
            expected = "fail" if clause.negated else "pass"
            self.fail(
                clause.name if not clause.negated else f"not {clause.name}",
                clause.message,
                f"rule {clause.name} did not {expected}",
                clause.location,
            )
        return status

    def query_block(self, clause: ast.QueryBlock, scope: _Scope) -> Status:
        results = self.resolve(clause.query, scope)
        if not results:
            return Status.SKIP
        mark = len(self.failures)
        passed = failed = 0
        for result in results:
            if isinstance(result, Unresolved):
                failed += 1
                self.fail(
                    clause.query.text,
                    None,
                    f"{clause.query.text}: {result.reason}",
                    clause.location,
                )
                continue
            status = self.block(clause.body, scope, result)
            if status is Status.PASS:
                passed += 1
            elif status is Status.FAIL:
                failed += 1
        if clause.some:
            if passed:
                del self.failures[mark:]
                return Status.PASS
            if not failed:
                return Status.SKIP
            return Status.FAIL
        if failed:
            return Status.FAIL
        return Status.PASS if passed else Status.SKIP

    # -- comparisons ----------------------------------------------------------------------

    def comparison(self, clause: ast.Comparison, scope: _Scope) -> Status:
        lhs = self.resolve(clause.lhs, scope)
        operator = clause.operator
        if operator == "empty" and _collection_query(clause.lhs):
            is_empty = not any(isinstance(r, Resolved) for r in lhs)
            return self.verdict(clause, is_empty != clause.negated, lhs)
        if not lhs:
            return Status.SKIP  # a filter on the way selected nothing
        if clause.rhs is None:
            outcomes = [self.unary(operator, r) != clause.negated for r in lhs]
        else:
            rhs_values = self.operand(clause.rhs, scope)
            if rhs_values is None:
                return self.verdict(clause, False, lhs, note="the right-hand side did not resolve")
            if not rhs_values:
                return Status.SKIP
            outcomes = [
                isinstance(r, Resolved)
                and self.check(operator, clause.negated, clause.some, r.value, rhs_values)
                for r in lhs
            ]
        holds = any(outcomes) if clause.some else all(outcomes)
        return self.verdict(clause, holds, lhs, outcomes)

    def verdict(
        self,
        clause: ast.Comparison,
        holds: bool,
        lhs: list[Result],
        outcomes: list[bool] | None = None,
        note: str | None = None,
    ) -> Status:
        if holds:
            return Status.PASS
        if self.recording:
            self.failures.append(
                partial(_comparison_failure, self.rule_name, clause, lhs, outcomes, note)
            )
        return Status.FAIL

    def unary(self, operator: str, result: Result) -> bool:
        if isinstance(result, Unresolved):
            return operator == "empty"
        value = result.value
        if operator == "exists":
            return True
        if operator == "empty":
            if isinstance(value, str | list | tuple | Mapping):
                return len(value) == 0
            return False
        if operator == "is_string":
            return isinstance(value, str)
        if operator == "is_list":
            return isinstance(value, list | tuple)
        if operator == "is_struct":
            return isinstance(value, Mapping)
        if operator == "is_bool":
            return isinstance(value, bool)
        if operator == "is_int":
            return isinstance(value, int) and not isinstance(value, bool)
        if operator == "is_float":
            return isinstance(value, float)
        return value is None  # is_null

    def check(self, operator: str, negated: bool, some: bool, left: Any, rhs: list[Any]) -> bool:
        """Whether one left-hand value satisfies a binary clause against the right-hand
        side's values (one for a literal, any number for a query). Guard's rules for
        lists, pinned by the conformance corpus and the differential test:

        * A list on the left is compared element by element against a single value,
          every element (``some``: at least one) must hold, and ``not`` applies to each
          element (``[1, 5] not in [1, 2]`` fails: 1 is in).
        * A single value against a list literal is equal only to a one-element list; an
          ordering (``<``...) against a list compares with every element (``some``: one).
        * Values of different kinds (an int and a string, an int and a float, a number
          and null) are not comparable: the clause fails whether or not it is negated.
        * ``IN`` a single string is "is a substring of".
        """
        if operator == "in":
            return self.check_in(negated, left, rhs)
        if operator in ("==", "!="):
            if len(rhs) != 1:
                outcome = _all_of([self.equality(operator, left, right, some) for right in rhs])
            else:
                outcome = self.equality(operator, left, rhs[0], some)
            return _holds(outcome, negated)
        lefts = left if isinstance(left, list) else [left]
        rights: list[Any] = []
        for value in rhs:
            rights.extend(value if isinstance(value, list | tuple) else [value])
        pairs = [_ordered(operator, item, right) for item in lefts for right in rights]
        holds = any(pairs) if some else all(pairs)
        return holds != negated

    def check_in(self, negated: bool, left: Any, rhs: list[Any]) -> bool:
        if len(rhs) == 1 and not isinstance(rhs[0], list | tuple):
            right = rhs[0]
            if isinstance(right, str) and isinstance(left, str | list):
                items = left if isinstance(left, list) else [left]
                return all(isinstance(item, str) and (item in right) != negated for item in items)
            if isinstance(left, list):
                return False  # a list is not IN a single value, nor out of it
            return _holds(self.equality("==", left, right, False), negated)
        candidates: list[Any] = []
        for value in rhs:
            candidates.extend(value if isinstance(value, list | tuple) else [value])
        if isinstance(left, list) and not any(isinstance(c, list | tuple) for c in candidates):
            if not left:
                return not negated  # the empty list is IN anything, so never NOT IN
            return all(_member(item, candidates) != negated for item in left)
        return _member(left, candidates) != negated

    def equality(self, operator: str, left: Any, right: Any, some: bool) -> bool | None:
        """``==`` / ``!=`` of two values; None when they are not comparable."""
        if isinstance(left, list) and not isinstance(right, list | tuple):
            outcomes = [
                None if isinstance(item, list) else self.equality(operator, item, right, False)
                for item in left
            ]
            if some:
                return any(outcomes)
            return _all_of(outcomes)
        if isinstance(right, list | tuple) and not isinstance(left, list):
            if len(right) != 1:
                return None
            return self.equality(operator, left, right[0], False)
        if isinstance(left, list):
            equal = _list_equal(left, right)
        elif not _comparable(left, right):
            return None
        else:
            equal = _equal(left, right)
        if equal is None:
            return None
        return equal if operator == "==" else not equal

    def operand(self, operand: ast.Literal | ast.Query, scope: _Scope) -> list[Any] | None:
        """The right-hand side's values; None when a query there did not resolve."""
        if isinstance(operand, ast.Literal):
            return [operand.value]
        results = self.resolve(operand, scope)
        if any(isinstance(r, Unresolved) for r in results):
            return None
        return [r.value for r in results if isinstance(r, Resolved)]

    def fail(self, clause: str, message: str | None, detail: str, location: ast.Location) -> None:
        if not self.recording:
            return
        self.failures.append(
            Failure(self.rule_name, clause, message, detail, location.line, location.column)
        )

    # -- queries --------------------------------------------------------------------------

    def resolve(self, query: ast.Query, scope: _Scope) -> list[Result]:
        parts = query.parts
        first = parts[0]
        current: list[Result]
        if isinstance(first, ast.Variable):
            current = self.variable(first.name, scope)
            parts = parts[1:]
        elif isinstance(first, ast.This):
            current = [scope.context]
            parts = parts[1:]
        else:
            current = [scope.context]
        previous: ast.Part | None = None
        index = 0
        while index < len(parts):
            part = parts[index]
            following: list[Result] = []
            if (
                type(part) is ast.AllIndices
                and index + 1 < len(parts)
                and type(parts[index + 1]) is ast.Filter
            ):
                selector = parts[index + 1]
                assert isinstance(selector, ast.Filter)
                for result in current:
                    if isinstance(result, Unresolved):
                        following.append(result)
                    else:
                        self.filter_elements(selector, result, scope, following)
                index += 1
            else:
                for result in current:
                    if isinstance(result, Unresolved):
                        following.append(result)
                    elif type(part) is ast.Filter:
                        self.filter(part, previous, result, scope, following)
                    else:
                        self.step(part, result, scope, following)
            current = following
            previous = parts[index]
            index += 1
        return current

    def keep(self, part: ast.Filter, candidate: Resolved, scope: _Scope) -> bool:
        return self.condition(part.conditions, scope.child((), candidate)) is Status.PASS

    def filter(
        self,
        part: ast.Filter,
        previous: ast.Part | None,
        result: Resolved,
        scope: _Scope,
        out: list[Result],
    ) -> None:
        """``x[ f ]`` and ``x.*[ f ]``: keep what passes the filter's clauses. A list's
        elements are tested; a struct's values, or after ``.*`` the struct itself
        (``Resources.*[ Type == 'x' ]``); a single value cannot be filtered (a
        retrieval error), as in cfn-guard."""
        value = result.value
        if isinstance(value, list) or (
            isinstance(value, Mapping) and not isinstance(previous, ast.AllValues)
        ):
            candidates = _children(value, result.path)
        elif isinstance(value, Mapping):
            candidates = [result]
        else:
            where = result.path or "/"
            out.append(Unresolved(result.path, f"{where} is a {_kind(value)}, nothing to filter"))
            return
        out.extend(candidate for candidate in candidates if self.keep(part, candidate, scope))

    def filter_elements(
        self, part: ast.Filter, result: Resolved, scope: _Scope, out: list[Result]
    ) -> None:
        """``x[*][ f ]``, cfn-guard's way: over a list, each element is filtered (a
        struct element by its values, a single value as itself); anything else that
        ``[*]`` passes through is tested as itself. ``[*]`` over an empty list is a
        retrieval error, as without the filter."""
        value = result.value
        if not isinstance(value, list):
            if self.keep(part, result, scope):
                out.append(result)
            return
        if not value:
            out.append(Unresolved(f"{result.path}/*", f"{result.path or '/'} is an empty list"))
            return
        for element in _children(value, result.path):
            if isinstance(element.value, Mapping | list):
                candidates = _children(element.value, element.path)
            else:
                candidates = [element]
            out.extend(c for c in candidates if self.keep(part, c, scope))

    def variable(self, name: str, scope: _Scope) -> list[Result]:
        holder: _Scope | None = scope
        while holder is not None and name not in holder.lets:
            holder = holder.parent
        if holder is None:  # parse() checks names; a hand-built tree may not
            raise KeyError(f"variable %{name} is not defined")
        cached = holder.cache.get(name)
        if cached is None:
            value = holder.lets[name].value
            if isinstance(value, ast.Literal):
                cached = [Resolved("", _as_document(value.value))]
            else:
                cached = self.resolve(value, holder)
            holder.cache[name] = cached
        return cached

    def step(self, part: ast.Part, result: Resolved, scope: _Scope, out: list[Result]) -> None:
        value = result.value
        path = result.path
        if type(part) is ast.Key:
            if type(value) is dict or isinstance(value, Mapping):
                found = value.get(part.name, _MISSING)
                if found is not _MISSING:
                    out.append(Resolved(f"{path}/{part.name}", found))
                else:
                    out.append(
                        Unresolved(f"{path}/{part.name}", f"{path or '/'} has no key {part.name!r}")
                    )
            elif isinstance(value, list) and part.name.isdigit():
                self.step(ast.Index(int(part.name)), result, scope, out)
            else:
                out.append(
                    Unresolved(
                        f"{path}/{part.name}",
                        f"{path or '/'} is a {_kind(value)}, not a struct with key {part.name!r}",
                    )
                )
        elif isinstance(part, ast.AllIndices | ast.AllValues):
            if not isinstance(value, list) and (
                isinstance(part, ast.AllIndices) or not isinstance(value, Mapping)
            ):
                out.append(result)  # a single value stands for a list of itself
                return
            items = _children(value, path)
            if items:
                out.extend(items)
            else:
                noun = "an empty" if isinstance(value, list | Mapping) else "a"
                out.append(
                    Unresolved(f"{path}/*", f"{path or '/'} is {noun} {_kind(value)}, no values")
                )
        elif isinstance(part, ast.Index):
            if isinstance(value, list) and 0 <= part.index < len(value):
                out.append(Resolved(f"{path}/{part.index}", value[part.index]))
            else:
                out.append(
                    Unresolved(f"{path}/{part.index}", f"{path or '/'} has no index {part.index}")
                )
        elif isinstance(part, ast.MapKeyFilter):
            if isinstance(value, Mapping):
                rhs = self.operand(part.rhs, scope) or []
                for key, item in value.items():
                    if rhs and self.check(part.operator, part.negated, False, key, rhs):
                        out.append(Resolved(f"{path}/{key}", item))
        elif isinstance(part, ast.This):
            out.append(result)
        elif isinstance(part, ast.Variable):  # after the first step: its values
            out.extend(self.variable(part.name, scope))


def _comparison_failure(
    rule: str,
    clause: ast.Comparison,
    lhs: list[Result],
    outcomes: list[bool] | None,
    note: str | None,
) -> Failure:
    text = _clause_text(clause)
    detail = f"{text} failed"
    if note:
        detail = f"{text} failed: {note}"
    else:
        for index, result in enumerate(lhs):
            if outcomes is not None and outcomes[index]:
                continue
            if isinstance(result, Unresolved):
                detail = f"{text} failed: {result.reason}"
            else:
                detail = f"{text} failed: {result.path or '/'} is {_show(result.value)}"
            break
    location = clause.location
    return Failure(rule, text, clause.message, detail, location.line, location.column)


def _as_document(value: Any) -> Any:
    """A literal as the document it stands for (the AST keeps lists as tuples)."""
    if isinstance(value, tuple):
        return [_as_document(item) for item in value]
    if isinstance(value, dict):
        return {key: _as_document(item) for key, item in value.items()}
    return value


def _holds(outcome: bool | None, negated: bool) -> bool:
    return outcome is not None and outcome != negated


def _children(value: Any, path: str) -> list[Resolved]:
    if isinstance(value, list):
        return [Resolved(f"{path}/{i}", item) for i, item in enumerate(value)]
    if isinstance(value, Mapping):
        return [Resolved(f"{path}/{key}", item) for key, item in value.items()]
    return []


def _collection_query(query: ast.Query) -> bool:
    """Whether ``empty`` asks about the query's result set rather than about each value
    it reached: a query ending in a filter, or a bare variable. (``x[*] empty`` asks of
    each element, as cfn-guard does.)"""
    last = query.parts[-1]
    if isinstance(last, ast.Filter | ast.MapKeyFilter):
        return True
    return len(query.parts) == 1 and isinstance(last, ast.Variable)


def _clause_text(clause: ast.Comparison) -> str:
    pieces = []
    if clause.some:
        pieces.append("some")
    pieces.append(clause.lhs.text)
    if clause.negated:
        pieces.append("not")
    pieces.append(clause.operator)
    if isinstance(clause.rhs, ast.Literal):
        pieces.append(_show(clause.rhs.value))
    elif isinstance(clause.rhs, ast.Query):
        pieces.append(clause.rhs.text)
    return " ".join(pieces)
