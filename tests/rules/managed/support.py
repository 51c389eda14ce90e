"""What the managed-rule tests share: stream-form items, an Environment answered from
dicts, and named cases.

``DictEnvironment`` is a fixture of inputs, not a stand-in for any ConfigLedger part: it
implements the rules' ``Environment`` protocol over the items and AWS answers a case
names, and fails loudly when a rule asks it for an AWS call the case did not foresee.
Parameters reach ``evaluate`` the way ``RuleInput`` promises: parsed to their catalogue
types, with catalogue defaults filled in.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from configledger.rules.managed import MANAGED_RULES
from configledger.rules.types import (
    AwsCallFailed,
    ComplianceType,
    ManagedRule,
    Param,
    RuleInput,
    Verdict,
)

ACCOUNT_ID = "123456789012"
REGION = "us-east-1"
NOW = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)
C = ComplianceType.COMPLIANT
NC = ComplianceType.NON_COMPLIANT
NA = ComplianceType.NOT_APPLICABLE

Answer = Mapping[str, Any] | AwsCallFailed | Callable[..., Mapping[str, Any]]


class DictEnvironment:
    def __init__(
        self,
        items: Iterable[Mapping[str, Any]] = (),
        calls: Mapping[tuple[str, str], Answer] | None = None,
        *,
        now: datetime = NOW,
        account_id: str = ACCOUNT_ID,
        region: str = REGION,
    ) -> None:
        self.account_id = account_id
        self.region = region
        self.now = now
        self._items = list(items)
        self._calls = dict(calls or {})
        self.made: list[tuple[str, str, dict[str, Any]]] = []

    def items(self, resource_type: str) -> Iterable[Mapping[str, Any]]:
        return [i for i in self._items if i["resourceType"] == resource_type]

    def item(self, resource_type: str, resource_id: str) -> Mapping[str, Any] | None:
        return next((i for i in self.items(resource_type) if i["resourceId"] == resource_id), None)

    def call(self, service: str, operation: str, **params: Any) -> dict[str, Any]:
        self.made.append((service, operation, params))
        if (service, operation) not in self._calls:
            raise AssertionError(f"unexpected AWS call {service}.{operation}({params})")
        answer = self._calls[(service, operation)]
        if isinstance(answer, AwsCallFailed):
            raise answer
        if callable(answer):
            return dict(answer(**params))
        return dict(answer)


def stream_item(
    resource_type: str,
    resource_id: str,
    configuration: Mapping[str, Any] | None = None,
    *,
    supplementary: Mapping[str, Any] | None = None,
    tags: Mapping[str, str] | None = None,
    name: str | None = None,
    arn: str | None = None,
    relationships: Iterable[Mapping[str, Any]] = (),
    captured: str = "2025-06-01T11:00:00.000Z",
) -> dict[str, Any]:
    """A configuration item in the stream form rules get (spec 3.3)."""
    return {
        "relatedEvents": [],
        "relationships": list(relationships),
        "configuration": dict(configuration or {}),
        "supplementaryConfiguration": dict(supplementary or {}),
        "tags": dict(tags or {}),
        "configurationItemVersion": "1.3",
        "configurationItemCaptureTime": captured,
        "configurationStateId": 1748775600000,
        "awsAccountId": ACCOUNT_ID,
        "configurationItemStatus": "OK",
        "resourceType": resource_type,
        "resourceId": resource_id,
        "resourceName": name,
        "ARN": arn,
        "awsRegion": REGION,
        "availabilityZone": "Not Applicable",
        "configurationStateMd5Hash": "",
        "resourceCreationTime": None,
    }


def account_item() -> dict[str, Any]:
    return {
        "resourceType": "AWS::::Account",
        "resourceId": ACCOUNT_ID,
        "awsAccountId": ACCOUNT_ID,
        "awsRegion": REGION,
    }


def _typed(param: Param, value: Any) -> Any:
    if not isinstance(value, str):
        return value
    if param.type == "int":
        return int(value)
    if param.type == "double":
        return float(value)
    if param.type == "boolean":
        return value.strip().lower() == "true"
    if param.type == "CSV":
        return [v.strip() for v in value.split(",") if v.strip()]
    return value


def typed_params(rule: ManagedRule, given: Mapping[str, Any]) -> dict[str, Any]:
    """``given`` (strings as a user writes InputParameters, or already typed values) with
    the catalogue defaults of the others, all parsed to their catalogue types."""
    known = {p.name: p for p in rule.parameters}
    unknown = set(given) - set(known)
    assert not unknown, f"{rule.identifier} has no parameter {unknown}"
    out = {p.name: _typed(p, p.default) for p in rule.parameters if p.default is not None}
    out.update({name: _typed(known[name], value) for name, value in given.items()})
    return out


def verdicts(
    identifier: str,
    item: Mapping[str, Any],
    env: DictEnvironment | None = None,
    **params: Any,
) -> list[Verdict]:
    rule = MANAGED_RULES[identifier]
    found = rule.evaluate(
        RuleInput(item=item, params=typed_params(rule, params), env=env or DictEnvironment())
    )
    return [found] if isinstance(found, Verdict) else list(found)


def judge(
    identifier: str, item: Mapping[str, Any], env: DictEnvironment | None = None, **params: Any
) -> ComplianceType:
    [verdict] = verdicts(identifier, item, env, **params)
    assert verdict.annotation is None or len(verdict.annotation) <= 256
    return verdict.compliance


@dataclass(frozen=True)
class Case:
    """One named fixture: ``item`` judged by rule ``rule`` must be ``expected``."""

    name: str
    rule: str
    item: Mapping[str, Any]
    expected: ComplianceType
    params: Mapping[str, Any] = field(default_factory=dict)
    env: DictEnvironment | None = None

    def run(self) -> None:
        assert judge(self.rule, self.item, self.env, **self.params) == self.expected


def ids(cases: Iterable[Case]) -> list[str]:
    return [f"{c.rule}:{c.name}" for c in cases]
