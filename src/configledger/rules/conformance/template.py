"""A conformance pack template resolved against its parameters: the rules and remediation
configurations it declares, with every intrinsic function evaluated.

What a conformance pack template may hold is CloudFormation's template shape restricted
to two resource types, ``AWS::Config::ConfigRule`` and
``AWS::Config::RemediationConfiguration`` (spec 9.1). The intrinsics are those packs use:
``Ref`` (parameters, pseudo parameters, ``AWS::NoValue``, and a rule's logical id, which
CloudFormation resolves to the rule's name), ``Fn::If``/``Fn::Equals``/``Fn::Not``/
``Fn::And``/``Fn::Or`` with a ``Conditions`` section and resource ``Condition``s,
``Fn::Join``, ``Fn::Sub``, ``Fn::Select``, ``Fn::Split``, ``Fn::FindInMap`` with
``Mappings`` and ``Fn::Base64``. Anything that needs a deployed stack (``Fn::GetAtt``,
``Fn::ImportValue``, ``Fn::GetAZs``, ``Fn::Cidr``, transforms) is refused by name.

Everything here is pure: text and parameter values in, a ``PackTemplate`` or a
``TemplateError`` whose message says what is wrong where.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from configledger.rules.conformance.cfn_yaml import TemplateSyntaxError, load

CONFIG_RULE = "AWS::Config::ConfigRule"
REMEDIATION = "AWS::Config::RemediationConfiguration"
RESOURCE_TYPES = (CONFIG_RULE, REMEDIATION)
# AWS's quota: rules per conformance pack.
MAX_RULES = 130

_SECTIONS = frozenset(
    {
        "AWSTemplateFormatVersion",
        "Description",
        "Metadata",
        "Parameters",
        "Mappings",
        "Conditions",
        "Resources",
        "Outputs",
        "Rules",
    }
)
_UNSUPPORTED = frozenset(
    {
        "Fn::GetAtt",
        "Fn::ImportValue",
        "Fn::GetAZs",
        "Fn::Cidr",
        "Fn::Transform",
        "Fn::Length",
        "Fn::ToJsonString",
    }
)
_SUB_VARIABLE = re.compile(r"\$\{([^}]*)\}")


class TemplateError(ValueError):
    """The template cannot be deployed as written; the message names the problem."""


class _NoValue:
    """``Ref: AWS::NoValue``: the property that holds it disappears."""

    def __repr__(self) -> str:
        return "AWS::NoValue"


NO_VALUE = _NoValue()


@dataclass(frozen=True, slots=True)
class TemplateResource:
    """One resource of the template, its Properties resolved."""

    logical_id: str
    type: str
    properties: dict[str, Any]
    # A rule's deployed name (its ConfigRuleName with the pack's suffix); None otherwise.
    name: str | None = None


@dataclass(frozen=True, slots=True)
class PackTemplate:
    rules: tuple[TemplateResource, ...]
    remediations: tuple[TemplateResource, ...]
    # The parameter values the template was resolved with (inputs over defaults).
    parameters: dict[str, Any]


@dataclass(frozen=True, slots=True)
class Context:
    """What the pseudo parameters resolve to, and the deployed name of a rule named
    ``name`` in the template (packs give their rules a suffix)."""

    account_id: str
    region: str
    stack_name: str
    stack_id: str
    rule_name: Callable[[str], str]


def parse(text: str, inputs: Mapping[str, str], context: Context) -> PackTemplate:
    """Parse ``text`` and resolve it with the input parameter values ``inputs``."""
    try:
        return _parse(text, inputs, context)
    except RecursionError:
        raise TemplateError("Template format error: the template nests too deeply") from None


def _parse(text: str, inputs: Mapping[str, str], context: Context) -> PackTemplate:
    try:
        document = load(text)
    except TemplateSyntaxError as exc:
        raise TemplateError(f"Template format error: {exc}") from None
    if not isinstance(document, dict):
        raise TemplateError("Template format error: the template is not a JSON or YAML object")
    unknown = sorted(str(k) for k in document if k not in _SECTIONS)
    if unknown:
        if "Transform" in unknown:
            raise TemplateError("Transforms are not supported in conformance pack templates")
        raise TemplateError(
            "Template format error: Invalid template property or properties ["
            + ", ".join(unknown)
            + "]"
        )
    resources = document.get("Resources")
    if not isinstance(resources, dict) or not resources:
        raise TemplateError("Template format error: At least one Resources member must be defined.")
    declared: dict[str, tuple[str, dict[str, Any]]] = {}
    for logical_id, resource in resources.items():
        if not isinstance(resource, dict) or not isinstance(resource.get("Type"), str):
            raise TemplateError(
                f"Template format error: [/Resources/{logical_id}] Every Resources object "
                "must contain a Type member."
            )
        kind = resource["Type"]
        if kind not in RESOURCE_TYPES:
            raise TemplateError(
                f"Resource {logical_id} has the unsupported type {kind}: a conformance pack "
                f"template holds only {CONFIG_RULE} and {REMEDIATION} resources"
            )
        properties = resource.get("Properties", {})
        if not isinstance(properties, dict):
            raise TemplateError(f"The Properties of resource {logical_id} must be an object")
        declared[str(logical_id)] = (kind, resource)
    rule_count = sum(1 for kind, _ in declared.values() if kind == CONFIG_RULE)
    if rule_count == 0:
        raise TemplateError(f"The template declares no {CONFIG_RULE} resource")
    if rule_count > MAX_RULES:
        raise TemplateError(
            "Number of resources provided in the template exceeds the allowed limit"
        )
    resolver = _Resolver(document, inputs, context)
    for logical_id, (kind, resource) in declared.items():
        if kind == CONFIG_RULE:
            resolver.rule_names[logical_id] = resolver.rule_name(logical_id, resource)
    rules: list[TemplateResource] = []
    remediations: list[TemplateResource] = []
    for logical_id, (kind, resource) in declared.items():
        condition = resource.get("Condition")
        if condition is not None and not resolver.condition(condition):
            continue
        where = f"/Resources/{logical_id}/Properties"
        properties = resolver.resolve(resource.get("Properties", {}), where)
        entry = TemplateResource(logical_id, kind, properties, resolver.rule_names.get(logical_id))
        (rules if kind == CONFIG_RULE else remediations).append(entry)
    if not rules:
        raise TemplateError(f"No {CONFIG_RULE} resource of the template is deployed: every "
                            "rule's Condition is false")  # fmt: skip
    return PackTemplate(tuple(rules), tuple(remediations), dict(resolver.parameters))


class _Resolver:
    def __init__(self, document: dict[str, Any], inputs: Mapping[str, str], context: Context):
        self.context = context
        self.mappings = document.get("Mappings") or {}
        self.conditions: dict[str, Any] = document.get("Conditions") or {}
        if not isinstance(self.conditions, dict) or not isinstance(self.mappings, dict):
            raise TemplateError("Template format error: Conditions and Mappings must be objects")
        self.parameters = _parameters(document.get("Parameters") or {}, inputs)
        self.rule_names: dict[str, str] = {}
        self._decided: dict[str, bool] = {}
        self._deciding: set[str] = set()

    # -- names --------------------------------------------------------------------------

    def rule_name(self, logical_id: str, resource: dict[str, Any]) -> str:
        """The deployed name of a rule: its ConfigRuleName (the logical id when it has
        none, as CloudFormation would generate one), with the pack's suffix."""
        given = (resource.get("Properties") or {}).get("ConfigRuleName")
        if given is None:
            return self.context.rule_name(logical_id)
        name = self.resolve(given, f"/Resources/{logical_id}/Properties/ConfigRuleName")
        if not isinstance(name, str) or not name.strip():
            raise TemplateError(f"The ConfigRuleName of resource {logical_id} must be a string")
        return self.context.rule_name(name)

    # -- conditions ---------------------------------------------------------------------

    def condition(self, name: object) -> bool:
        if not isinstance(name, str) or name not in self.conditions:
            raise TemplateError(f"Template error: unresolved condition dependency {name}")
        if name in self._decided:
            return self._decided[name]
        if name in self._deciding:
            raise TemplateError(f"Template error: circular dependency between conditions at {name}")
        self._deciding.add(name)
        value = self._truth(self.conditions[name], f"/Conditions/{name}")
        self._deciding.discard(name)
        self._decided[name] = value
        return value

    def _truth(self, node: Any, where: str) -> bool:
        if isinstance(node, dict) and len(node) == 1:
            (key, args), = node.items()  # fmt: skip
            if key == "Condition":
                return self.condition(args)
            if key == "Fn::Equals":
                pair = self._args(key, args, where, 2)
                left, right = (self.resolve(a, where) for a in pair)
                return _text(left) == _text(right)
            if key == "Fn::Not":
                return not self._truth(self._args(key, args, where, 1)[0], where)
            if key in ("Fn::And", "Fn::Or"):
                if not isinstance(args, list) or not 2 <= len(args) <= 10:
                    raise TemplateError(
                        f"Template error: {key} at {where} takes 2 to 10 conditions"
                    )
                values = [self._truth(a, where) for a in args]
                return all(values) if key == "Fn::And" else any(values)
        if isinstance(node, bool):
            return node
        if isinstance(node, str) and node.lower() in ("true", "false"):
            return node.lower() == "true"
        raise TemplateError(f"Template error: {where} is not a condition function")

    # -- values -------------------------------------------------------------------------

    def resolve(self, node: Any, where: str) -> Any:
        if isinstance(node, dict):
            if len(node) == 1:
                (key, args), = node.items()  # fmt: skip
                if key == "Ref" or (isinstance(key, str) and key.startswith("Fn::")):
                    return self._function(key, args, where)
            out: dict[str, Any] = {}
            for key, value in node.items():
                resolved = self.resolve(value, f"{where}/{key}")
                if resolved is not NO_VALUE:
                    out[str(key)] = resolved
            return out
        if isinstance(node, list):
            items = [self.resolve(value, f"{where}/{i}") for i, value in enumerate(node)]
            return [item for item in items if item is not NO_VALUE]
        return node

    @staticmethod
    def _args(key: str, args: Any, where: str, count: int) -> list[Any]:
        if not isinstance(args, list) or len(args) != count:
            raise TemplateError(f"Template error: {key} at {where} takes a list of {count} values")
        return args

    def _function(self, key: str, args: Any, where: str) -> Any:
        if key == "Ref":
            return self._ref(args, where)
        if key == "Fn::If":
            name, when_true, when_false = self._args(key, args, where, 3)
            return self.resolve(when_true if self.condition(name) else when_false, where)
        if key == "Fn::Join":
            delimiter, values = self._args(key, args, where, 2)
            values = self.resolve(values, where)
            if not isinstance(delimiter, str) or not isinstance(values, list):
                raise TemplateError(
                    f"Template error: Fn::Join at {where} needs a delimiter and a list"
                )
            return delimiter.join(_text(v) for v in values)
        if key == "Fn::Sub":
            return self._sub(args, where)
        if key == "Fn::Select":
            index, values = self._args(key, args, where, 2)
            index, values = self.resolve(index, where), self.resolve(values, where)
            try:
                return values[int(index)]
            except (ValueError, TypeError, IndexError, KeyError):
                raise TemplateError(
                    f"Template error: Fn::Select at {where} has no item {index}"
                ) from None
        if key == "Fn::Split":
            delimiter, value = self._args(key, args, where, 2)
            value = self.resolve(value, where)
            if not isinstance(delimiter, str) or not isinstance(value, str):
                raise TemplateError(f"Template error: Fn::Split at {where} needs two strings")
            return value.split(delimiter)
        if key == "Fn::FindInMap":
            names = [_text(self.resolve(a, where)) for a in self._args(key, args, where, 3)]
            try:
                return self.mappings[names[0]][names[1]][names[2]]
            except (KeyError, TypeError):
                raise TemplateError(
                    f"Template error: Fn::FindInMap at {where} finds no "
                    f"{'/'.join(names)} in Mappings"
                ) from None
        if key == "Fn::Base64":
            return base64.b64encode(_text(self.resolve(args, where)).encode()).decode()
        if key in _UNSUPPORTED:
            raise TemplateError(
                f"Template error: {key} at {where} is not supported in conformance pack templates"
            )
        raise TemplateError(f"Template error: encountered unsupported function: {key} at {where}")

    def _ref(self, name: Any, where: str) -> Any:
        pseudo = {
            "AWS::AccountId": self.context.account_id,
            "AWS::Region": self.context.region,
            "AWS::Partition": "aws",
            "AWS::URLSuffix": "amazonaws.com",
            "AWS::StackName": self.context.stack_name,
            "AWS::StackId": self.context.stack_id,
            "AWS::NotificationARNs": [],
            "AWS::NoValue": NO_VALUE,
        }
        if isinstance(name, str):
            if name in self.parameters:
                return self.parameters[name]
            if name in pseudo:
                return pseudo[name]
            if name in self.rule_names:
                return self.rule_names[name]
        raise TemplateError(
            f"Template format error: Unresolved resource dependencies [{name}] in the "
            f"Resources block of the template (at {where})"
        )

    def _sub(self, args: Any, where: str) -> str:
        variables: dict[str, Any] = {}
        if isinstance(args, list):
            text, given = self._args("Fn::Sub", args, where, 2)
            if not isinstance(given, dict):
                raise TemplateError(f"Template error: Fn::Sub at {where} needs a map of variables")
            variables = {k: self.resolve(v, where) for k, v in given.items()}
        else:
            text = args
        if not isinstance(text, str):
            raise TemplateError(f"Template error: Fn::Sub at {where} needs a string")

        def replace(found: re.Match[str]) -> str:
            name = found.group(1)
            if name.startswith("!"):
                return "${" + name[1:] + "}"
            if name in variables:
                return _text(variables[name])
            if "." in name and name.split(".", 1)[0] in self.rule_names:
                raise TemplateError(
                    f"Template error: ${{{name}}} in Fn::Sub at {where} needs Fn::GetAtt, "
                    "which conformance pack templates do not support"
                )
            return _text(self._ref(name, where))

        return _SUB_VARIABLE.sub(replace, text)


def _text(value: Any) -> str:
    """A resolved value as CloudFormation compares and joins it."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ",".join(_text(v) for v in value)
    if value is None:
        return ""
    return str(value)


def _parameters(declared: Any, inputs: Mapping[str, str]) -> dict[str, Any]:
    """The value of every parameter: the input over the Default; CloudFormation's errors
    for undeclared inputs, missing values and values outside AllowedValues."""
    if not isinstance(declared, dict):
        raise TemplateError("Template format error: Parameters must be an object")
    undeclared = sorted(set(inputs) - {str(name) for name in declared})
    if undeclared:
        raise TemplateError(
            "Parameters: [" + ", ".join(undeclared) + "] do not exist in the template"
        )
    values: dict[str, Any] = {}
    missing: list[str] = []
    for name, spec in declared.items():
        if not isinstance(spec, dict) or not isinstance(spec.get("Type"), str):
            raise TemplateError(
                f"Template format error: Every Parameters object must contain a Type member "
                f"({name})."
            )
        if name in inputs:
            raw: Any = inputs[name]
        elif "Default" in spec:
            raw = spec["Default"]
        else:
            missing.append(str(name))
            continue
        text = _text(raw)
        allowed = spec.get("AllowedValues")
        if isinstance(allowed, list) and text not in [_text(a) for a in allowed]:
            raise TemplateError(
                f"Parameter '{name}' must be one of AllowedValues: "
                + ", ".join(_text(a) for a in allowed)
            )
        pattern = spec.get("AllowedPattern")
        if isinstance(pattern, str) and re.fullmatch(pattern, text) is None:
            raise TemplateError(f"Parameter '{name}' must match pattern {pattern}")
        kind = spec["Type"]
        if kind == "Number":
            try:
                float(text)
            except ValueError:
                raise TemplateError(f"Parameter '{name}' must be a number") from None
        if kind == "CommaDelimitedList" or kind.startswith("List<"):
            values[str(name)] = [part.strip() for part in text.split(",")] if text else []
        else:
            values[str(name)] = text
    if missing:
        raise TemplateError("Parameters: [" + ", ".join(missing) + "] must have values")
    return values
