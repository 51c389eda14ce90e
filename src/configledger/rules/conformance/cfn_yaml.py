"""Reading a CloudFormation-style template (YAML or JSON) into plain Python values.

CloudFormation's YAML has short-form tags for its intrinsic functions (``!Ref X``,
``!If [c, a, b]``, ``!Sub "..."``, ``!GetAtt a.b``); each is turned into the long form
(``{"Ref": "X"}``, ``{"Fn::If": [...]}``) so the resolver sees one spelling. Two YAML
1.1 habits CloudFormation does not share are switched off: dates stay strings
(``AWSTemplateFormatVersion: 2010-09-09``) and a repeated key is an error instead of
silently keeping the last value.
"""

from __future__ import annotations

from typing import Any

import orjson
import yaml


class TemplateSyntaxError(ValueError):
    """The text is neither JSON nor YAML that CloudFormation would read."""


# The short forms CloudFormation accepts, by tag; all but Ref and Condition are Fn::<tag>.
_FUNCTIONS = (
    "Base64", "Cidr", "FindInMap", "GetAtt", "GetAZs", "ImportValue", "Join", "Select",
    "Split", "Sub", "Transform", "And", "Equals", "If", "Not", "Or", "Length", "ToJsonString",
)  # fmt: skip
_PLAIN = ("Ref", "Condition")


_BASE: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Loader(_BASE):  # type: ignore[valid-type,misc]
    """The safe loader (libyaml's when installed) with CloudFormation's tags, no
    timestamps, no duplicate keys, and no aliases (CloudFormation refuses them, and a
    few aliases of aliases would make a small template expand without bound)."""

    def construct_object(self, node: yaml.Node, deep: bool = False) -> Any:
        # A node met a second time is an alias of an anchored one.
        if node in self.constructed_objects or node in self.recursive_objects:
            raise yaml.constructor.ConstructorError(
                None, None, "YAML aliases are not allowed in CloudFormation templates",
                node.start_mark,
            )  # fmt: skip
        return super().construct_object(node, deep)


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regex) for tag, regex in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _value(loader: _Loader, node: yaml.Node) -> Any:
    if isinstance(node, yaml.ScalarNode):
        return loader.construct_scalar(node)
    if isinstance(node, yaml.SequenceNode):
        return loader.construct_sequence(node, deep=True)
    if isinstance(node, yaml.MappingNode):
        return loader.construct_mapping(node, deep=True)
    raise yaml.constructor.ConstructorError(None, None, "unexpected node", node.start_mark)


def _short_form(key: str) -> Any:
    def construct(loader: _Loader, node: yaml.Node) -> dict[str, Any]:
        value = _value(loader, node)
        if key == "Fn::GetAtt" and isinstance(value, str):
            value = value.split(".", 1)
        return {key: value}

    return construct


for _name in _PLAIN:
    _Loader.add_constructor(f"!{_name}", _short_form(_name))
for _name in _FUNCTIONS:
    _Loader.add_constructor(f"!{_name}", _short_form(f"Fn::{_name}"))


def _mapping(loader: _Loader, node: yaml.MappingNode) -> dict[Any, Any]:
    loader.flatten_mapping(node)
    out: dict[Any, Any] = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if key in out:
            raise yaml.constructor.ConstructorError(
                "while constructing a mapping",
                node.start_mark,
                f"found duplicate key {key!r}",
                key_node.start_mark,
            )
        out[key] = loader.construct_object(value_node, deep=True)
    return out


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping)


def _unknown_tag(loader: _Loader, suffix: str, node: yaml.Node) -> Any:
    raise yaml.constructor.ConstructorError(None, None, f"unknown tag !{suffix}", node.start_mark)


_Loader.add_multi_constructor("!", _unknown_tag)


def load(text: str) -> Any:
    """The template's document; TemplateSyntaxError with the line and column of the
    first problem when it does not parse."""
    if text.lstrip().startswith("{"):
        try:
            return orjson.loads(text)
        except orjson.JSONDecodeError as exc:
            raise TemplateSyntaxError(f"invalid JSON: {exc}") from None
    try:
        return yaml.load(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = exc.problem or exc.context or "not valid YAML"
        raise TemplateSyntaxError(f"invalid YAML{where}: {problem}") from None
    except yaml.YAMLError as exc:
        raise TemplateSyntaxError(f"invalid YAML: {exc}") from None
    except RecursionError:
        raise TemplateSyntaxError("the template nests too deeply") from None
