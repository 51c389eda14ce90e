"""What a managed rule is: AWS's identifier, scope, triggers, typed parameters, and one
pure evaluate function.

A rule module imports only this module. It never reads the store or the clock and never
calls AWS itself; everything it may look at comes through ``RuleInput``: the item being
evaluated (in the stream form AWS hands to rules: ``configuration``,
``supplementaryConfiguration``, ``tags`` as a map, ``relationships``), the typed
parameters, and an ``Environment`` that answers questions about the rest of the account
(other current items, the clock, and, for the account-level checks AWS's own rules make
through APIs, a boto3 call). That keeps every rule testable over named good and bad
items, and the engine free to batch, cache and replay.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any, Literal, Protocol

# The resource type of rules that report against the account itself.
ACCOUNT = "AWS::::Account"

ParamType = Literal["String", "int", "double", "boolean", "CSV", "StringMap"]


class ComplianceType(StrEnum):
    COMPLIANT = "COMPLIANT"
    NON_COMPLIANT = "NON_COMPLIANT"
    NOT_APPLICABLE = "NOT_APPLICABLE"


class Trigger(StrEnum):
    CHANGE = "ConfigurationItemChangeNotification"
    PERIODIC = "ScheduledNotification"


@dataclass(frozen=True, slots=True)
class Param:
    """One input parameter, as AWS's managed-rule catalogue lists it."""

    name: str
    type: ParamType
    optional: bool = True
    # The catalogue's (console) default, as the string AWS shows; None if it has none.
    default: str | None = None


@dataclass(frozen=True, slots=True)
class Verdict:
    """The result for one resource; ``annotation`` is shown to users (256 chars max)."""

    compliance: ComplianceType
    annotation: str | None = None
    # Set only when a rule reports on a resource other than the one it was given
    # (account-level rules reporting per resource); None means "the input's resource".
    resource_type: str | None = None
    resource_id: str | None = None


def compliant(annotation: str | None = None) -> Verdict:
    return Verdict(ComplianceType.COMPLIANT, annotation)


def non_compliant(annotation: str | None = None) -> Verdict:
    return Verdict(ComplianceType.NON_COMPLIANT, annotation)


def not_applicable(annotation: str | None = None) -> Verdict:
    return Verdict(ComplianceType.NOT_APPLICABLE, annotation)


class AwsCallFailed(Exception):
    """An ``Environment.call`` that AWS answered with an error (``code`` is its code, e.g.
    ``NoSuchEntity``); a rule decides whether that means non-compliant or no data."""

    def __init__(self, code: str, message: str = "") -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message


class Environment(Protocol):
    """The account around the evaluated item, as far as a rule may look."""

    account_id: str
    region: str
    now: datetime  # timezone-aware UTC

    def items(self, resource_type: str) -> Iterable[Mapping[str, Any]]:
        """Current (not deleted) items of a type in this account and region, stream form."""
        ...

    def item(self, resource_type: str, resource_id: str) -> Mapping[str, Any] | None:
        """One current item in stream form, or None."""
        ...

    def call(self, service: str, operation: str, **params: Any) -> dict[str, Any]:
        """A boto3 call in this account and region (``operation`` in snake_case), with
        the recorder's credentials; raises ``AwsCallFailed`` on an AWS error."""
        ...


@dataclass(frozen=True, slots=True)
class RuleInput:
    """What an evaluation gets.

    ``item`` is the stream-form configuration item (``configurationItemStatus`` OK or
    ResourceDiscovered; deleted and out-of-scope resources never reach a rule, the
    engine reports them NOT_APPLICABLE itself). For ``AWS::::Account`` rules it is
    ``{"resourceType": "AWS::::Account", "resourceId": <account id>, "awsAccountId",
    "awsRegion"}``. ``params`` holds the rule's InputParameters parsed to their catalogue
    types (int -> int, double -> float, boolean -> bool, CSV -> list[str] of stripped
    non-empty values, StringMap -> dict, String -> str), with catalogue defaults filled
    in for parameters that were not given; absent parameters without a default are
    missing from the mapping.
    """

    item: Mapping[str, Any]
    params: Mapping[str, Any]
    env: Environment

    @property
    def configuration(self) -> Mapping[str, Any]:
        return _mapping(self.item.get("configuration"))

    @property
    def supplementary(self) -> Mapping[str, Any]:
        return _mapping(self.item.get("supplementaryConfiguration"))

    @property
    def tags(self) -> Mapping[str, str]:
        return _mapping(self.item.get("tags"))


def _mapping(found: Any) -> Mapping[str, Any]:
    """``found`` if it is a mapping, else an empty one. A parsed item holds plain dicts:
    they skip the abstract-class check, which a full evaluation would pay per rule and
    resource."""
    if type(found) is dict or isinstance(found, Mapping):
        return found
    return {}


Evaluate = Callable[[RuleInput], "Verdict | Iterable[Verdict]"]


@dataclass(frozen=True, slots=True)
class ManagedRule:
    """An AWS managed rule: ``identifier`` is its SourceIdentifier.

    ``resource_types`` is AWS's applicable scope (``(ACCOUNT,)`` for account-level rules);
    ``triggers`` AWS's trigger types; ``parameters`` exactly the catalogue's (a meta test
    compares them with moto's copy of AWS's catalogue). ``evaluate`` is pure: it returns
    one Verdict for the input's resource, or several for rules that report on many.
    """

    identifier: str
    resource_types: tuple[str, ...]
    triggers: frozenset[Trigger]
    evaluate: Evaluate
    parameters: tuple[Param, ...] = ()
    description: str = ""
    # The rule name AWS's console suggests (kebab-case), e.g. restricted-ssh.
    default_name: str = ""
    extra: Mapping[str, Any] = field(default_factory=dict)
