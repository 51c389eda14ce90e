"""A config rule as PutConfigRule defines it: checked against AWS's rules and normalised.

The model-driven validator has already checked types, lengths and enums; what is left
are the cross-field rules AWS enforces (spec 7.1): who may give SourceDetails, which
scopes combine, when a MaximumExecutionFrequency is allowed, and, for managed rules,
the identifier and its typed InputParameters (names, required ones, value types).
The normalised document is what DescribeConfigRules echoes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import orjson

from configledger.errors import InvalidParameterValueException
from configledger.rules.managed import MANAGED_RULES
from configledger.rules.types import ACCOUNT, ManagedRule, Param, Trigger

AWS = "AWS"
CUSTOM_LAMBDA = "CUSTOM_LAMBDA"
CUSTOM_POLICY = "CUSTOM_POLICY"
# The manual "process check" rule: its results come only from PutExternalEvaluation.
PROCESS_CHECK = "AWS_CONFIG_PROCESS_CHECK"

CHANGE_MESSAGES = frozenset(
    {"ConfigurationItemChangeNotification", "OversizedConfigurationItemChangeNotification"}
)
PERIODIC_MESSAGES = frozenset({"ScheduledNotification", "ConfigurationSnapshotDeliveryCompleted"})
DEFAULT_FREQUENCY = "TwentyFour_Hours"
FREQUENCY_MS = {
    "One_Hour": 3_600_000,
    "Three_Hours": 3 * 3_600_000,
    "Six_Hours": 6 * 3_600_000,
    "Twelve_Hours": 12 * 3_600_000,
    "TwentyFour_Hours": 24 * 3_600_000,
}


@dataclass(frozen=True, slots=True)
class Scope:
    """Which resources a change-triggered rule looks at (spec 7.2)."""

    resource_types: tuple[str, ...] = ()
    tag_key: str | None = None
    tag_value: str | None = None
    resource_id: str | None = None

    def matches(self, resource_type: str, resource_id: str, tags: dict[str, str]) -> bool:
        if self.resource_types and resource_type not in self.resource_types:
            return False
        if self.resource_id is not None and resource_id != self.resource_id:
            return False
        if self.tag_key is not None:
            if self.tag_key not in tags:
                return False
            if self.tag_value is not None and tags[self.tag_key] != self.tag_value:
                return False
        return True


@dataclass(frozen=True, slots=True)
class RuleDefinition:
    """What the engine needs of a rule, derived from its stored document."""

    name: str
    rule_id: str
    arn: str
    owner: str
    source_identifier: str | None
    scope: Scope
    change_triggered: bool
    # The period of scheduled evaluations in ms; None when the rule is not periodic.
    period_ms: int | None
    params: dict[str, Any]
    document: dict[str, Any]

    @property
    def managed(self) -> ManagedRule | None:
        if self.owner != AWS or self.source_identifier is None:
            return None
        return MANAGED_RULES.get(self.source_identifier)

    @property
    def account_level(self) -> bool:
        rule = self.managed
        return self.source_identifier == PROCESS_CHECK or (
            rule is not None and rule.resource_types == (ACCOUNT,)
        )


def _invalid(message: str) -> InvalidParameterValueException:
    return InvalidParameterValueException(message)


def normalise(rule: dict[str, Any]) -> dict[str, Any]:
    """Check a ConfigRule of PutConfigRule and return the document to store (without
    name, ARN, id or state, which the caller sets)."""
    if rule.get("CreatedBy"):
        raise _invalid(
            "AWS Config populates the CreatedBy field for ServiceLinkedConfigRule. "
            "Try again without populating the CreatedBy field"
        )
    source = dict(rule["Source"])
    owner = source["Owner"]
    details = list(source.get("SourceDetails") or [])
    out: dict[str, Any] = {}
    if "Description" in rule:
        out["Description"] = rule["Description"]
    scope = _normalise_scope(rule.get("Scope"))
    if scope is not None:
        out["Scope"] = scope
    frequency = rule.get("MaximumExecutionFrequency")
    if owner == AWS:
        identifier = source.get("SourceIdentifier")
        if identifier != PROCESS_CHECK and identifier not in MANAGED_RULES:
            raise _invalid(
                f"The sourceIdentifier {identifier} is invalid.  Please refer to the "
                "documentation for a list of valid sourceIdentifiers that can be used "
                "when AWS is the Owner"
            )
        if details:
            raise _invalid(
                "SourceDetails should be null/empty if the owner is AWS. "
                "SourceDetails should be provided if the owner is CUSTOM_LAMBDA"
            )
        if source.get("CustomPolicyDetails"):
            raise _invalid("CustomPolicyDetails can be provided only if the owner is CUSTOM_POLICY")
        managed = MANAGED_RULES.get(identifier or "")
        if managed is not None:
            parse_parameters(managed, rule.get("InputParameters"))
            if frequency is not None and Trigger.PERIODIC not in managed.triggers:
                raise _invalid(
                    "A maximum execution frequency is not allowed for rules triggered by "
                    "configuration changes"
                )
        elif rule.get("InputParameters") not in (None, "{}"):
            _parse_object(rule["InputParameters"])
        out["Source"] = {"Owner": AWS, "SourceIdentifier": identifier}
    elif owner == CUSTOM_LAMBDA:
        if not source.get("SourceIdentifier"):
            raise _invalid("SourceIdentifier is required for a rule whose owner is CUSTOM_LAMBDA")
        if not details:
            raise _invalid(
                "SourceDetails should be null/empty if the owner is AWS. "
                "SourceDetails should be provided if the owner is CUSTOM_LAMBDA"
            )
        if source.get("CustomPolicyDetails"):
            raise _invalid("CustomPolicyDetails can be provided only if the owner is CUSTOM_POLICY")
        out["Source"] = {
            "Owner": CUSTOM_LAMBDA,
            "SourceIdentifier": source["SourceIdentifier"],
            "SourceDetails": _normalise_details(details),
        }
    else:  # CUSTOM_POLICY
        policy = source.get("CustomPolicyDetails")
        if not policy:
            raise _invalid(
                "CustomPolicyDetails is required for a rule whose owner is CUSTOM_POLICY"
            )
        if not details:
            raise _invalid("SourceDetails is required for a rule whose owner is CUSTOM_POLICY")
        for detail in details:
            if detail.get("MessageType") not in CHANGE_MESSAGES:
                raise _invalid(
                    "CUSTOM_POLICY rules support only ConfigurationItemChangeNotification and "
                    "OversizedConfigurationItemChangeNotification as the MessageType"
                )
        if frequency is not None:
            raise _invalid("A maximum execution frequency is not allowed for CUSTOM_POLICY rules")
        out["Source"] = {
            "Owner": CUSTOM_POLICY,
            "SourceDetails": _normalise_details(details),
            "CustomPolicyDetails": {
                "PolicyRuntime": policy["PolicyRuntime"],
                "PolicyText": policy["PolicyText"],
                "EnableDebugLogDelivery": bool(policy.get("EnableDebugLogDelivery", False)),
            },
        }
    if "InputParameters" in rule:
        if owner != AWS:
            _parse_object(rule["InputParameters"])
        out["InputParameters"] = rule["InputParameters"]
    if frequency is not None:
        out["MaximumExecutionFrequency"] = frequency
    modes = rule.get("EvaluationModes") or [{"Mode": "DETECTIVE"}]
    out["EvaluationModes"] = [{"Mode": m["Mode"]} for m in modes if "Mode" in m] or [
        {"Mode": "DETECTIVE"}
    ]
    if "RuleEvaluationVisibility" in rule:
        out["RuleEvaluationVisibility"] = rule["RuleEvaluationVisibility"]
    return out


def _normalise_scope(scope: dict[str, Any] | None) -> dict[str, Any] | None:
    if not scope:
        return None
    types = list(scope.get("ComplianceResourceTypes") or [])
    tag_key, tag_value = scope.get("TagKey"), scope.get("TagValue")
    resource_id = scope.get("ComplianceResourceId")
    if tag_value is not None and tag_key is None:
        raise _invalid("Tag key should not be empty when tag value is provided in scope")
    if tag_key is not None and (types or resource_id is not None):
        raise _invalid("Scope cannot be applied to both resource and tag")
    if resource_id is not None and len(types) != 1:
        raise _invalid(
            "A single resourceType should be provided when resourceId is provided in scope"
        )
    out: dict[str, Any] = {}
    if types:
        out["ComplianceResourceTypes"] = types
    if tag_key is not None:
        out["TagKey"] = tag_key
    if tag_value is not None:
        out["TagValue"] = tag_value
    if resource_id is not None:
        out["ComplianceResourceId"] = resource_id
    return out or None


def _normalise_details(details: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out = []
    for detail in details:
        message_type = detail.get("MessageType")
        frequency = detail.get("MaximumExecutionFrequency")
        if detail.get("EventSource", "aws.config") != "aws.config" or message_type is None:
            raise _invalid("Each SourceDetail needs EventSource aws.config and a MessageType")
        if frequency is not None and message_type in CHANGE_MESSAGES:
            raise _invalid(
                "A maximum execution frequency is not allowed if MessageType is "
                "ConfigurationItemChangeNotification or "
                "OversizedConfigurationItemChangeNotification"
            )
        entry = {"EventSource": "aws.config", "MessageType": message_type}
        if message_type in PERIODIC_MESSAGES:
            entry["MaximumExecutionFrequency"] = frequency or DEFAULT_FREQUENCY
        out.append(entry)
    return out


def _parse_object(raw: str) -> dict[str, Any]:
    try:
        parsed = orjson.loads(raw)
    except orjson.JSONDecodeError:
        raise _invalid(f"Invalid json {raw} passed in the InputParameters field") from None
    if not isinstance(parsed, dict):
        raise _invalid(f"Invalid json {raw} passed in the InputParameters field")
    return parsed


def parse_parameters(rule: ManagedRule, raw: str | None) -> dict[str, Any]:
    """InputParameters parsed to the catalogue's types, defaults filled in (types.py
    RuleInput); AWS's errors for unknown names, missing required ones and bad values."""
    given = _parse_object(raw) if raw else {}
    known = {p.name: p for p in rule.parameters}
    unknown = sorted(set(given) - set(known))
    if unknown:
        raise _invalid(f"Unknown parameters provided in the inputParameters: {raw}")
    missing = sorted(
        p.name for p in rule.parameters if not p.optional and _blank(given.get(p.name))
    )
    if missing:
        raise _invalid(
            "The required parameter [" + ", ".join(missing) + "] is not present in the "
            "inputParameters"
        )
    out: dict[str, Any] = {}
    for param in rule.parameters:
        value = given.get(param.name)
        if _blank(value):
            if param.default is None:
                continue
            value = param.default
        out[param.name] = _typed(param, value, raw)
    return out


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and value.strip() == "")


def _typed(param: Param, value: Any, raw: str | None) -> Any:
    def bad(expected: str) -> InvalidParameterValueException:
        return _invalid(
            f"Invalid value {value!r} for the parameter {param.name}: expected {expected}. "
            f"InputParameters: '{raw}'"
        )

    if param.type == "StringMap":
        if isinstance(value, dict):
            return {str(k): str(v) for k, v in value.items()}
        try:
            parsed = orjson.loads(str(value))
        except orjson.JSONDecodeError:
            raise bad("a JSON object of strings") from None
        if not isinstance(parsed, dict):
            raise bad("a JSON object of strings")
        return {str(k): str(v) for k, v in parsed.items()}
    if isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, int | float | str):
        text = str(value).strip()
    else:
        raise bad("a string")
    if param.type == "int":
        try:
            return int(text)
        except ValueError:
            raise bad("an integer") from None
    if param.type == "double":
        try:
            return float(text)
        except ValueError:
            raise bad("a number") from None
    if param.type == "boolean":
        if text.lower() not in ("true", "false"):
            raise bad("true or false")
        return text.lower() == "true"
    if param.type == "CSV":
        return [part.strip() for part in text.split(",") if part.strip()]
    return text


def definition(name: str, rule_id: str, arn: str, document: dict[str, Any]) -> RuleDefinition:
    """The engine's view of a stored rule document."""
    source = document["Source"]
    owner = source["Owner"]
    identifier = source.get("SourceIdentifier")
    raw_scope = document.get("Scope") or {}
    scope = Scope(
        resource_types=tuple(raw_scope.get("ComplianceResourceTypes") or ()),
        tag_key=raw_scope.get("TagKey"),
        tag_value=raw_scope.get("TagValue"),
        resource_id=raw_scope.get("ComplianceResourceId"),
    )
    params: dict[str, Any] = {}
    change = False
    period: str | None = None
    if owner == AWS:
        managed = MANAGED_RULES.get(identifier or "")
        if managed is not None:
            params = parse_parameters(managed, document.get("InputParameters"))
            change = Trigger.CHANGE in managed.triggers
            if Trigger.PERIODIC in managed.triggers:
                period = document.get("MaximumExecutionFrequency") or DEFAULT_FREQUENCY
            if not scope.resource_types and managed.resource_types != (ACCOUNT,):
                scope = Scope(
                    managed.resource_types, scope.tag_key, scope.tag_value, scope.resource_id
                )
    else:
        for detail in source.get("SourceDetails") or []:
            if detail["MessageType"] in CHANGE_MESSAGES:
                change = True
            elif detail["MessageType"] == "ScheduledNotification":
                period = detail.get("MaximumExecutionFrequency") or DEFAULT_FREQUENCY
    return RuleDefinition(
        name=name,
        rule_id=rule_id,
        arn=arn,
        owner=owner,
        source_identifier=identifier,
        scope=scope,
        change_triggered=change,
        period_ms=FREQUENCY_MS[period] if period else None,
        params=params,
        document=document,
    )
