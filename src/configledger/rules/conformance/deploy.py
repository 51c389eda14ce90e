"""From a resolved template to what a pack deploys: rule documents and remediation
configurations, each checked the way its own API checks it.

A template rule becomes the ``ConfigRule`` of a PutConfigRule request (CloudFormation's
property names are the API's, ``InputParameters`` an object serialised to the JSON
string the API takes) and goes through the same two gates as PutConfigRule: the
service model's validation (``check``, supplied by the API layer) and
``definition.normalise``. The one deliberate widening: a managed identifier that is in
AWS's catalogue but that ConfigLedger does not implement is still deployed (parameters
checked against the catalogue) so the published packs deploy whole; such a rule is
stored, described and rolled up as INSUFFICIENT_DATA, and the plan's notes say so.
An identifier AWS does not have fails the pack, as it does in AWS.

Nothing here touches the store; ``Plan`` is what the conformance worker writes in one
transaction.
"""

from __future__ import annotations

import gzip
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import moto
import orjson

from configledger.errors import AwsError
from configledger.recorder.resource_types import REGISTRY
from configledger.rules.conformance.template import PackTemplate, TemplateResource
from configledger.rules.definition import AWS, PROCESS_CHECK, normalise
from configledger.rules.kinds import KINDS
from configledger.rules.managed import MANAGED_RULES
from configledger.rules.types import ACCOUNT

# The service principal AWS names as the creator of a pack's rules.
CONFORMS_PRINCIPAL = "config-conforms.amazonaws.com"
_RULE_PROPERTIES = frozenset(
    {
        "ConfigRuleName",
        "Description",
        "Scope",
        "Source",
        "InputParameters",
        "MaximumExecutionFrequency",
        "EvaluationModes",
        "Compliance",  # CloudFormation's read-only compliance attribute: ignored
    }
)
_REMEDIATION_PROPERTIES = frozenset(
    {
        "ConfigRuleName",
        "TargetType",
        "TargetId",
        "TargetVersion",
        "Parameters",
        "ResourceType",
        "Automatic",
        "ExecutionControls",
        "MaximumAutomaticAttempts",
        "RetryAttemptSeconds",
    }
)
_CUSTOM_TYPE_PARTS = 3

# (operation name, request body) -> the body as the service model accepts it; raises
# the model's ValidationException / SerializationException.
Check = Callable[[str, dict[str, Any]], dict[str, Any]]


class RuleFailed(Exception):
    """A resource of the template that AWS would refuse: the pack fails, naming it."""

    def __init__(self, resource: TemplateResource, message: str) -> None:
        super().__init__(f"Resource {resource.logical_id} ({resource.type}): {message}")


@dataclass(frozen=True, slots=True)
class PlannedRule:
    logical_id: str
    name: str  # the deployed name, with the pack's suffix
    document: dict[str, Any]  # what config_rules stores, CreatedBy included
    # Why ConfigLedger will not evaluate it (None: it will).
    not_evaluated: str | None = None


@dataclass(frozen=True, slots=True)
class PlannedRemediation:
    logical_id: str
    rule_name: str  # the deployed rule it remediates
    configuration: dict[str, Any]  # a RemediationConfiguration of the API


@dataclass(frozen=True, slots=True)
class Plan:
    rules: tuple[PlannedRule, ...]
    remediations: tuple[PlannedRemediation, ...]
    parameters: dict[str, Any] = field(default_factory=dict)

    def notes(self) -> list[str]:
        """What a user must know about the deployment (the pack's status reason)."""
        out: list[str] = []
        skipped = [r for r in self.rules if r.not_evaluated is not None]
        if skipped:
            out.append(
                f"ConfigLedger does not evaluate {len(skipped)} of the pack's "
                f"{len(self.rules)} rules, which stay INSUFFICIENT_DATA: "
                + "; ".join(f"{r.name} ({r.not_evaluated})" for r in skipped)
            )
        if self.remediations:
            count = len(self.remediations)
            what = "configuration is" if count == 1 else "configurations are"
            out.append(
                f"{count} remediation {what} stored with the pack and not applied: "
                "ConfigLedger does not run a pack's remediations"
            )
        return out


def plan(template: PackTemplate, check: Check) -> Plan:
    """The rules and remediations ``template`` deploys; RuleFailed for the first
    resource AWS would refuse."""
    rules: list[PlannedRule] = []
    names: dict[str, str] = {}
    for resource in template.rules:
        planned = _rule(resource, check)
        if planned.name in names:
            raise RuleFailed(
                resource,
                f"the rule name {planned.name} is already used by resource {names[planned.name]}",
            )
        names[planned.name] = resource.logical_id
        rules.append(planned)
    remediations = [_remediation(r, names, check) for r in template.remediations]
    targets: dict[str, str] = {}
    for planned_remediation, resource in zip(remediations, template.remediations, strict=True):
        if planned_remediation.rule_name in targets:
            raise RuleFailed(
                resource,
                f"the rule {planned_remediation.rule_name} already has the remediation "
                f"configuration {targets[planned_remediation.rule_name]}",
            )
        targets[planned_remediation.rule_name] = resource.logical_id
    return Plan(tuple(rules), tuple(remediations), dict(template.parameters))


def _rule(resource: TemplateResource, check: Check) -> PlannedRule:
    properties = resource.properties
    unknown = sorted(set(properties) - _RULE_PROPERTIES)
    if unknown:
        raise RuleFailed(resource, "encountered unsupported properties " + ", ".join(unknown))
    request: dict[str, Any] = {
        k: v for k, v in properties.items() if k not in ("InputParameters", "Compliance")
    }
    request["ConfigRuleName"] = resource.name
    raw_parameters = properties.get("InputParameters")
    if isinstance(raw_parameters, dict):
        if raw_parameters:
            request["InputParameters"] = orjson.dumps(raw_parameters).decode()
    elif isinstance(raw_parameters, str):
        request["InputParameters"] = raw_parameters
    elif raw_parameters is not None:
        raise RuleFailed(resource, "InputParameters must be an object of parameter values")
    try:
        request = check("PutConfigRule", {"ConfigRule": request})["ConfigRule"]
        source = request["Source"]
        identifier = source.get("SourceIdentifier")
        catalogued = _catalogue().get(identifier or "")
        if source["Owner"] == AWS and identifier not in MANAGED_RULES and catalogued is not None:
            # Checked as the process check is (scope, no SourceDetails, InputParameters
            # a JSON object), then against AWS's catalogue entry.
            stand_in = {**request, "Source": {**source, "SourceIdentifier": PROCESS_CHECK}}
            document = normalise(stand_in)
            document["Source"]["SourceIdentifier"] = identifier
            _check_catalogued(resource, catalogued, request)
        else:
            document = normalise(request)
    except AwsError as exc:
        raise RuleFailed(resource, exc.message) from None
    document["CreatedBy"] = CONFORMS_PRINCIPAL
    return PlannedRule(
        logical_id=resource.logical_id,
        name=request["ConfigRuleName"],
        document=document,
        not_evaluated=_not_evaluated(document),
    )


def _check_catalogued(
    resource: TemplateResource, entry: Mapping[str, Any], request: dict[str, Any]
) -> None:
    params = {p["Name"]: p for p in entry.get("Parameters") or []}
    raw = request.get("InputParameters")
    given = orjson.loads(raw) if raw else {}
    unknown = sorted(set(given) - set(params))
    if unknown:
        raise RuleFailed(resource, f"Unknown parameters provided in the inputParameters: {raw}")
    missing = sorted(
        name
        for name, p in params.items()
        if not p.get("Optional", True) and str(given.get(name, "")).strip() == ""
    )
    if missing:
        raise RuleFailed(
            resource,
            "The required parameter [" + ", ".join(missing) + "] is not present in the "
            "inputParameters",
        )
    if request.get("MaximumExecutionFrequency") and "Periodic" not in str(
        entry.get("Trigger type", "")
    ):
        raise RuleFailed(
            resource,
            "A maximum execution frequency is not allowed for rules triggered by "
            "configuration changes",
        )


def _not_evaluated(document: dict[str, Any]) -> str | None:
    source = document["Source"]
    owner = source["Owner"]
    identifier = source.get("SourceIdentifier")
    if owner not in KINDS:
        return f"ConfigLedger does not evaluate {owner} rules"
    types: tuple[str, ...] = tuple(
        (document.get("Scope") or {}).get("ComplianceResourceTypes") or ()
    )
    if owner == AWS:
        if identifier == PROCESS_CHECK:
            return None
        managed = MANAGED_RULES.get(identifier or "")
        if managed is None:
            return f"the managed rule {identifier} is not implemented"
        types = types or managed.resource_types
    unrecorded = [t for t in types if not _recordable(t)]
    if types and len(unrecorded) == len(types):
        return "ConfigLedger does not record " + ", ".join(unrecorded)
    return None


def _recordable(resource_type: str) -> bool:
    """Whether items of the type can reach a rule: a type the recorder records, the
    account itself, or a third-party type (PutResourceConfig)."""
    if resource_type in REGISTRY or resource_type == ACCOUNT:
        return True
    parts = resource_type.split("::")
    return len(parts) == _CUSTOM_TYPE_PARTS and parts[0] != "AWS"


def _remediation(
    resource: TemplateResource, rule_names: Mapping[str, str], check: Check
) -> PlannedRemediation:
    properties = dict(resource.properties)
    unknown = sorted(set(properties) - _REMEDIATION_PROPERTIES)
    if unknown:
        raise RuleFailed(resource, "encountered unsupported properties " + ", ".join(unknown))
    target = properties.get("ConfigRuleName")
    deployed = _deployed_name(target, rule_names)
    if deployed is None:
        raise RuleFailed(
            resource, f"the ConfigRuleName {target} names no AWS::Config::ConfigRule of the pack"
        )
    properties["ConfigRuleName"] = deployed
    try:
        checked = check("PutRemediationConfigurations", {"RemediationConfigurations": [properties]})
    except AwsError as exc:
        raise RuleFailed(resource, exc.message) from None
    return PlannedRemediation(
        resource.logical_id, deployed, checked["RemediationConfigurations"][0]
    )


def _deployed_name(target: Any, rule_names: Mapping[str, str]) -> str | None:
    if not isinstance(target, str):
        return None
    if target in rule_names:
        return target
    for name in rule_names:
        if name.rsplit("-conformance-pack-", 1)[0] == target:
            return name
    return None


@cache
def _catalogue() -> dict[str, Any]:
    """AWS's managed-rule catalogue (identifier -> parameters, types, triggers), as moto
    ships it."""
    path = Path(moto.__file__).parent / "config" / "resources" / "aws_managed_rules.json.gz"
    with gzip.open(path) as handle:
        rules: dict[str, Any] = orjson.loads(handle.read())["ManagedRules"]
    return rules


def catalogued(identifier: str) -> bool:
    return identifier in _catalogue() or identifier in MANAGED_RULES
