"""Check AWS Config requests against botocore's service model, the way AWS's front end does.

Why this module exists: before AWS Config's own code sees a JSON 1.1 request, AWS's request
framework (Coral) parses the body against the service model and answers in two fixed forms.
A JSON value of the wrong type stops parsing at once with a ``SerializationException``
("STRING_VALUE can not be converted to an Integer"); a well-typed request that breaks the
model's constraints gets one ``ValidationException`` listing every failure ("2 validation
errors detected: Value null at 'resourceType' failed to satisfy constraint: ...").  SDKs,
the CLI and people's scripts see those exact texts, and ConfigLedger's handlers may assume
that whatever reaches them already fits the model.

The rules come only from the model botocore ships (lengths, ranges, patterns, enums,
required members), never from hand-typed copies, so they move with botocore.  One known
divergence is kept on purpose: see ``OPEN_ENUM_SHAPES``.

How: each shape is compiled once into a small validator node, cached by service and shape
name, so a request walks ready-made nodes instead of reading metadata dicts.  A wrong type
raises at once (as in Coral, it wins over constraint failures); constraint failures are
collected depth-first in model order and raised together.
"""

from __future__ import annotations

import math
import re
import threading
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Any, Final

import botocore.model

from configledger.errors import SerializationException, ValidationException

__all__ = ["OPEN_ENUM_OPERATIONS", "OPEN_ENUM_SHAPES", "validate_request"]

# ``ResourceType`` is an enum in the model, yet AWS Config accepts the third-party types that
# customers record with PutResourceConfig (``MyCompany::Build::Agent``) in the operations that
# read recorded resources back.  In those operations (and only there: a recorder's recording
# group takes AWS's own types only), a value of the custom-type form passes even when the enum
# lacks it; anything else still fails with the enum text.  Read when a shape is first compiled.
OPEN_ENUM_SHAPES: Final[frozenset[str]] = frozenset({"ResourceType"})
OPEN_ENUM_OPERATIONS: Final[frozenset[str]] = frozenset(
    {"GetResourceConfigHistory", "ListDiscoveredResources", "BatchGetResourceConfig"}
    # The aggregate reads serve the same recorded resources, custom ones included.
    | {
        "ListAggregateDiscoveredResources",
        "GetAggregateResourceConfig",
        "BatchGetAggregateResourceConfig",
        "GetAggregateDiscoveredResourceCounts",
    }
)
# Third-party types (Organization::Service::Resource); AWS's own namespace is not one of them.
_CUSTOM_TYPE: Final = re.compile(r"(?!AWS::)[A-Za-z0-9]{1,64}(::[A-Za-z0-9]{1,64}){2}")

# Coral's texts for JSON of the wrong type.
_LIST_FOUND: Final = "Start of list found where not expected"
_OBJECT_FOUND: Final = "Start of structure or map found where not expected."
_NOT_STRUCTURE: Final = "Expected null"
_NOT_LIST: Final = "Expected list or null"
_NOT_MAP: Final = "Expected map or null"
_BODY_NOT_OBJECT: Final = "The request body must be a JSON object"

_NOT_NULL: Final = "Member must not be null"
_NO_NUL: Final = "Member must not contain the NUL character"
_EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)
_MILLISECOND: Final = timedelta(milliseconds=1)
_JAVA_RANGES: Final = {"integer": (-(2**31), 2**31 - 1), "long": (-(2**63), 2**63 - 1)}
_TARGETS: Final = {
    "integer": "an Integer",
    "long": "a Long",
    "float": "a Float",
    "double": "a Double",
}


def validate_request(operation: botocore.model.OperationModel, body: object) -> dict[str, Any]:
    """Check a decoded JSON request body against the operation's input shape.
    Returns the params (the same dict, with timestamps converted to int epoch milliseconds).
    Raises SerializationException for wrong JSON types, ValidationException for constraint failures.
    """
    if not isinstance(body, dict):
        raise SerializationException(_LIST_FOUND if isinstance(body, list) else _BODY_NOT_OBJECT)
    root = _root_for(operation)
    if root is None:
        return body
    errors: list[str] = []
    root.check(body, "", errors)
    if errors:
        noun = "validation error" if len(errors) == 1 else "validation errors"
        raise ValidationException(f"{len(errors)} {noun} detected: " + "; ".join(errors))
    return body


# -- messages ---------------------------------------------------------------------------


def _mismatch(value: object, target: str) -> SerializationException:
    """The SerializationException for a JSON ``value`` that cannot become ``target``."""
    if isinstance(value, list):
        return SerializationException(_LIST_FOUND)
    if isinstance(value, dict):
        return SerializationException(_OBJECT_FOUND)
    if value is True:
        token = "TRUE_VALUE"
    elif value is False:
        token = "FALSE_VALUE"
    elif isinstance(value, str):
        token = "STRING_VALUE"
    else:
        token = "NUMBER_VALUE"
    return SerializationException(f"{token} can not be converted to {target}")


def _render(value: object) -> str | None:
    """Show a value as Java's toString would; None for structures and nested collections."""
    if isinstance(value, list):
        items = [_render_scalar(item) for item in value]
        return _join("[", items, "]")
    if isinstance(value, dict):
        pairs = [_render_pair(key, item) for key, item in value.items()]
        return _join("{", pairs, "}")
    return _render_scalar(value)


def _render_pair(key: str, value: object) -> str | None:
    shown = _render_scalar(value)
    return None if shown is None else f"{key}={shown}"


def _join(opening: str, parts: list[str | None], closing: str) -> str | None:
    shown = [part for part in parts if part is not None]
    return None if len(shown) < len(parts) else opening + ", ".join(shown) + closing


def _render_scalar(value: object) -> str | None:
    if value is None:
        return "null"
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    return None


def _failure(value: object, path: str, text: str, *, shown: bool = True) -> str:
    """One entry of a ValidationException message."""
    rendered = _render(value) if shown else None
    subject = "Value at" if rendered is None else f"Value '{rendered}' at"
    return f"{subject} '{path}' failed to satisfy constraint: {text}"


def _null(path: str) -> str:
    return f"Value null at '{path}' failed to satisfy constraint: {_NOT_NULL}"


def _lower_first(name: str) -> str:
    return name[:1].lower() + name[1:]


@cache
def _pattern(java_regex: str) -> re.Pattern[str] | None:
    """Compile a model pattern for ``fullmatch``; None when Python's ``re`` cannot read it."""
    try:
        return re.compile(java_regex)
    except re.error:
        return None


# -- nodes ------------------------------------------------------------------------------


class _Node:
    """A compiled shape: checks one JSON value and returns it, converted where needed."""

    __slots__ = ()

    def check(self, value: object, path: str, errors: list[str]) -> object:
        return value


class _Scalar(_Node):
    """A leaf shape.  ``rules`` holds the text of every constraint the shape carries."""

    __slots__ = ("rules", "sensitive")

    def __init__(self, shape: botocore.model.Shape) -> None:
        self.rules: tuple[str, ...] = ()
        self.sensitive: bool = bool(shape.metadata.get("sensitive"))

    def coerce(self, value: object) -> object:
        return value

    def violations(self, value: Any) -> list[str]:
        return []

    def check(self, value: object, path: str, errors: list[str]) -> object:
        value = self.coerce(value)
        if self.rules or isinstance(value, str):  # every string is checked for NUL
            for text in self.violations(value):
                errors.append(_failure(value, path, text, shown=self._shown(value)))
        return value

    def _shown(self, value: Any) -> bool:
        return not self.sensitive


class _String(_Scalar):
    __slots__ = (
        "enum",
        "enum_text",
        "max_len",
        "max_text",
        "min_len",
        "min_text",
        "open_enum",
        "regex",
        "regex_text",
    )

    def __init__(self, shape: botocore.model.Shape, *, open_enum: bool = False) -> None:
        super().__init__(shape)
        meta = shape.metadata
        self.max_len: int | None = meta.get("max")
        self.min_len: int | None = meta.get("min")
        self.max_text = f"Member must have length less than or equal to {self.max_len}"
        self.min_text = f"Member must have length greater than or equal to {self.min_len}"
        pattern: str | None = meta.get("pattern")
        self.regex = None if pattern is None else _pattern(pattern)
        self.regex_text = f"Member must satisfy regular expression pattern: {pattern}"
        values: list[str] = list(meta.get("enum") or ())
        self.enum = frozenset(values) if values else None
        self.enum_text = "Member must satisfy enum value set: [" + ", ".join(values) + "]"
        self.open_enum = open_enum
        self.rules = tuple(
            text
            for present, text in (
                (self.max_len is not None, self.max_text),
                (self.min_len is not None, self.min_text),
                (pattern is not None, self.regex_text),
                (self.enum is not None, self.enum_text),
            )
            if present
        )

    def coerce(self, value: object) -> object:
        if isinstance(value, str):
            return value
        raise _mismatch(value, "a String")

    def violations(self, value: Any) -> list[str]:
        found: list[str] = []
        if "\x00" in value:
            # No store of ours (PostgreSQL text above all) can hold NUL; refuse it at the edge.
            found.append(_NO_NUL)
        if self.max_len is not None and len(value) > self.max_len:
            found.append(self.max_text)
        if self.min_len is not None and len(value) < self.min_len:
            found.append(self.min_text)
        if self.regex is not None and self.regex.fullmatch(value) is None:
            found.append(self.regex_text)
        if self.enum is not None and value not in self.enum and not self._custom(value):
            found.append(self.enum_text)
        return found

    def _custom(self, value: str) -> bool:
        return self.open_enum and _CUSTOM_TYPE.fullmatch(value) is not None


class _Number(_Scalar):
    __slots__ = ("high", "high_text", "integral", "java_range", "low", "low_text", "target")

    def __init__(self, shape: botocore.model.Shape) -> None:
        super().__init__(shape)
        kind: str = shape.type_name
        self.target = _TARGETS[kind]
        self.integral = kind in _JAVA_RANGES
        self.java_range = _JAVA_RANGES.get(kind)
        self.high: float | None = shape.metadata.get("max")
        self.low: float | None = shape.metadata.get("min")
        self.high_text = f"Member must have value less than or equal to {self.high}"
        self.low_text = f"Member must have value greater than or equal to {self.low}"
        self.rules = tuple(
            text
            for bound, text in ((self.high, self.high_text), (self.low, self.low_text))
            if bound is not None
        )

    def coerce(self, value: object) -> object:
        if type(value) is int:
            return value
        if type(value) is float:
            if not self.integral:
                return value
            if value.is_integer():
                return int(value)
        raise _mismatch(value, self.target)

    def violations(self, value: Any) -> list[str]:
        found: list[str] = []
        if self.high is not None and value > self.high:
            found.append(self.high_text)
        if self.low is not None and value < self.low:
            found.append(self.low_text)
        return found

    def _shown(self, value: Any) -> bool:
        # A number beyond Java's int/long never reaches Coral's validator as itself, so AWS
        # names no value for it ("Value at 'limit' failed to satisfy constraint: ...").
        if self.java_range is not None and not self.java_range[0] <= value <= self.java_range[1]:
            return False
        return not self.sensitive


class _Boolean(_Scalar):
    __slots__ = ()

    def coerce(self, value: object) -> object:
        if isinstance(value, bool):
            return value
        raise _mismatch(value, "a Boolean")


class _Timestamp(_Scalar):
    """Epoch seconds (a JSON number) or an ISO-8601 string, returned as epoch milliseconds."""

    __slots__ = ()

    def coerce(self, value: object) -> object:
        if type(value) is int:
            return value * 1000
        if type(value) is float and math.isfinite(value):
            return round(value * 1000)
        if isinstance(value, str):
            return _iso_to_millis(value)
        raise _mismatch(value, "milliseconds since epoch")


def _iso_to_millis(text: str) -> int:
    try:
        moment = datetime.fromisoformat(text)
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        return (moment - _EPOCH) // _MILLISECOND
    except (ValueError, OverflowError):
        raise _mismatch(text, "milliseconds since epoch") from None


class _Blob(_Scalar):
    """Base64 text; its content is the handler's business."""

    __slots__ = ()

    def coerce(self, value: object) -> object:
        if isinstance(value, str):
            return value
        raise _mismatch(value, "a Blob")


class _Structure(_Node):
    """Members as (wire name, path segment, node, required), in model order."""

    __slots__ = ("members",)

    def __init__(self) -> None:
        self.members: tuple[tuple[str, str, _Node, bool], ...] = ()

    def check(self, value: object, path: str, errors: list[str]) -> object:
        if not isinstance(value, dict):
            raise SerializationException(_LIST_FOUND if isinstance(value, list) else _NOT_STRUCTURE)
        prefix = path + "." if path else ""
        for wire, segment, node, required in self.members:
            item = value.get(wire)
            if item is None:
                value.pop(wire, None)  # an explicit null is the same as absent
                if required:
                    errors.append(_null(prefix + segment))
                continue
            checked = node.check(item, prefix + segment, errors)
            if checked is not item:
                value[wire] = checked
        return value


class _Collection(_Node):
    """Shared length rules of lists and maps."""

    __slots__ = ("max_len", "max_text", "min_len", "min_text")

    def __init__(self, shape: botocore.model.Shape) -> None:
        self.max_len: int | None = shape.metadata.get("max")
        self.min_len: int | None = shape.metadata.get("min")
        self.max_text = f"Member must have length less than or equal to {self.max_len}"
        self.min_text = f"Member must have length greater than or equal to {self.min_len}"

    def check_length(self, value: list[Any] | dict[str, Any], path: str, errors: list[str]) -> None:
        if self.max_len is not None and len(value) > self.max_len:
            errors.append(_failure(value, path, self.max_text))
        if self.min_len is not None and len(value) < self.min_len:
            errors.append(_failure(value, path, self.min_text))


class _List(_Collection):
    """Scalar elements are judged together, as AWS reports them on the list as a whole."""

    __slots__ = ("member",)

    def __init__(self, shape: botocore.model.Shape) -> None:
        super().__init__(shape)
        self.member: _Node = _Node()

    def check(self, value: object, path: str, errors: list[str]) -> object:
        if not isinstance(value, list):
            raise SerializationException(_OBJECT_FOUND if isinstance(value, dict) else _NOT_LIST)
        self.check_length(value, path, errors)
        if isinstance(self.member, _Scalar):
            self._check_scalars(self.member, value, path, errors)
        else:
            self._check_nodes(self.member, value, path, errors)
        return value

    @staticmethod
    def _check_scalars(member: _Scalar, value: list[Any], path: str, errors: list[str]) -> None:
        failed = False
        nulls: list[str] = []
        for index, item in enumerate(value):
            if item is None:
                nulls.append(_null(f"{path}.{index + 1}.member"))
                continue
            checked = member.coerce(item)
            if checked is not item:
                value[index] = checked
            if member.rules and not failed and member.violations(checked):
                failed = True
        if failed:
            text = "Member must satisfy constraint: [" + ", ".join(member.rules) + "]"
            errors.append(_failure(value, path, text, shown=not member.sensitive))
        errors.extend(nulls)

    @staticmethod
    def _check_nodes(member: _Node, value: list[Any], path: str, errors: list[str]) -> None:
        for index, item in enumerate(value):
            item_path = f"{path}.{index + 1}.member"
            if item is None:
                errors.append(_null(item_path))
                continue
            checked = member.check(item, item_path, errors)
            if checked is not item:
                value[index] = checked


class _Map(_Collection):
    """Key and scalar-value failures are reported once each, on the map as a whole."""

    __slots__ = ("key", "value")

    def __init__(self, shape: botocore.model.Shape) -> None:
        super().__init__(shape)
        self.key: _Scalar = _Scalar(shape)
        self.value: _Node = _Node()

    def check(self, value: object, path: str, errors: list[str]) -> object:
        if not isinstance(value, dict):
            raise SerializationException(_LIST_FOUND if isinstance(value, list) else _NOT_MAP)
        self.check_length(value, path, errors)
        key_failed = value_failed = False
        nested: list[str] = []
        scalar = self.value if isinstance(self.value, _Scalar) else None
        for key, item in value.items():
            if self.key.rules and not key_failed and self.key.violations(key):
                key_failed = True
            if item is None:
                nested.append(_null(f"{path}.{key}"))
                continue
            if scalar is None:
                checked = self.value.check(item, f"{path}.{key}", nested)
            else:
                checked = scalar.coerce(item)
                if scalar.rules and not value_failed and scalar.violations(checked):
                    value_failed = True
            if checked is not item:
                value[key] = checked  # replacing a value keeps the dict's size: safe mid-loop
        if key_failed:
            text = "Map keys must satisfy constraint: [" + ", ".join(self.key.rules) + "]"
            errors.append(_failure(value, path, text, shown=not self.key.sensitive))
        if value_failed and scalar is not None:
            text = "Map value must satisfy constraint: [" + ", ".join(scalar.rules) + "]"
            errors.append(_failure(value, path, text, shown=not scalar.sensitive))
        errors.extend(nested)
        return value


# -- compiling --------------------------------------------------------------------------

_LOCK: Final = threading.Lock()
# A scope is (service, whether ResourceType is open): the same shape compiles differently
# for the few operations that accept third-party resource types.
_Scope = tuple[str, bool]
_NODES: dict[tuple[_Scope, str], _Node] = {}
_ROOTS: dict[tuple[str, str], _Node | None] = {}
_SCALARS: Final[dict[str, type[_Scalar]]] = {
    "string": _String,
    "integer": _Number,
    "long": _Number,
    "float": _Number,
    "double": _Number,
    "boolean": _Boolean,
    "timestamp": _Timestamp,
    "blob": _Blob,
}


def _root_for(operation: botocore.model.OperationModel) -> _Node | None:
    """The compiled input shape of ``operation``; None when it takes no input."""
    service: str = operation.service_model.service_name
    key = (service, operation.name)
    scope = (service, operation.name in OPEN_ENUM_OPERATIONS)
    if key in _ROOTS:
        return _ROOTS[key]
    with _LOCK:
        if key not in _ROOTS:
            shape = operation.input_shape
            _ROOTS[key] = None if shape is None else _compile(scope, shape)
        return _ROOTS[key]


def _compile(scope: _Scope, shape: botocore.model.Shape) -> _Node:
    """The node for ``shape``, built once.  Call with ``_LOCK`` held."""
    key = (scope, shape.name)
    if key in _NODES:
        return _NODES[key]
    kind: str = shape.type_name
    if kind == "structure":
        return _compile_structure(scope, shape, key)
    if kind == "list":
        return _compile_list(scope, shape, key)
    if kind == "map":
        return _compile_map(scope, shape, key)
    scalar = _SCALARS.get(kind)
    if scalar is None:
        node = _Node()  # documents: taken as they come
    elif scalar is _String:
        node = _String(shape, open_enum=scope[1] and shape.name in OPEN_ENUM_SHAPES)
    else:
        node = scalar(shape)
    _NODES[key] = node
    return node


# Containers are registered before their parts are compiled: shapes may refer to themselves.


def _compile_structure(
    scope: _Scope, shape: botocore.model.StructureShape, key: tuple[_Scope, str]
) -> _Node:
    node = _NODES[key] = _Structure()
    node.members = tuple(_compile_member(scope, shape, name) for name in shape.members)
    return node


def _compile_member(
    scope: _Scope, structure: botocore.model.StructureShape, name: str
) -> tuple[str, str, _Node, bool]:
    member = structure.members[name]
    wire: str = member.serialization.get("name", name)
    required = name in structure.required_members
    return wire, _lower_first(wire), _compile(scope, member), required


def _compile_list(scope: _Scope, shape: botocore.model.ListShape, key: tuple[_Scope, str]) -> _Node:
    node = _NODES[key] = _List(shape)
    node.member = _compile(scope, shape.member)
    return node


def _compile_map(scope: _Scope, shape: botocore.model.MapShape, key: tuple[_Scope, str]) -> _Node:
    node = _NODES[key] = _Map(shape)
    key_node = _compile(scope, shape.key)
    if isinstance(key_node, _Scalar):  # JSON keys are strings; any other key shape checks nothing
        node.key = key_node
    node.value = _compile(scope, shape.value)
    return node
