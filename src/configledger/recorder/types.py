"""What a resource type declares, and what its transform returns.

A resource type is metadata plus two thin functions (STYLE.md, example 3):

* ``fetch(client, scope) -> Iterable[Raw]``: the *get* part. Thin boto3 calls that list every
  resource of the type in one account and region, with whatever detail calls AWS
  Config's item needs (tags, policies, attributes). It must not swallow errors: a
  failed call raises, and the engine marks the listing incomplete, so nothing is ever
  deleted on the strength of a listing that could not look (STYLE.md, example 4).
* ``transform(raw, scope) -> Described``: the *transform* part. Pure: one raw record
  to the configuration, attributes and forward relationships AWS Config records.
  Required keys are indexed (a malformed response fails loudly); optional ones use
  ``.get`` and become ``None``.

The engine does the rest: paging is done by ``fetch`` with boto3 paginators, storage,
diffing, statuses, inverse relationships, recording-group filtering and scheduling are
the engine's.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

Raw = dict[str, Any]


@dataclass(frozen=True, slots=True)
class Scope:
    """Where a listing was taken: the account and region, for ARNs and ids."""

    account_id: str
    region: str
    partition: str = "aws"


@dataclass(frozen=True, slots=True)
class Relation:
    """A forward relationship of a resource: "<this> <name> <target>".

    ``inverse`` is the name the target's item shows for the same edge (e.g. an
    instance "Is contained in Vpc", so the VPC "Contains Instance"); None when AWS
    Config shows the edge on this side only. Exactly one of target_id and target_name
    is usually set (some AWS edges carry only the related resource's name).
    """

    name: str
    target_type: str
    target_id: str | None = None
    target_name: str | None = None
    inverse: str | None = None


@dataclass(frozen=True, slots=True)
class Described:
    """One resource as AWS Config records it, before the engine adds metadata."""

    resource_id: str
    configuration: dict[str, Any]
    resource_name: str | None = None
    arn: str | None = None
    availability_zone: str | None = None
    resource_creation_ms: int | None = None
    tags: dict[str, str] = field(default_factory=dict)
    supplementary: dict[str, Any] = field(default_factory=dict)
    relations: tuple[Relation, ...] = ()


def _same(candidate: str, scope: Scope) -> str | None:
    return candidate or None


@dataclass(frozen=True, slots=True)
class Targeted:
    """How to re-describe only the resources a CloudTrail event names.

    ``paths`` say where the event names them: ``section.member.member...`` into the
    record (``requestParameters.groupId``, ``responseElements.instancesSet.items.
    instanceId``). A list is stepped through, CloudTrail's ``items`` wrapper is optional
    (EC2's records wrap lists in it, the sandbox's do not), and ``**`` matches any depth.
    ``key`` turns each string found into the key ``describe`` takes (an ARN into a name,
    a queue URL into its canonical form), or None when the string names a resource of
    another type (``sg-...`` among an instance's ids).

    ``describe(client, scope, keys)`` is the *get* part for just those keys; its raw
    records go through the type's ``transform``. A key it does not answer for (its
    records omit it, or the call fails with one of the ``not_found`` codes) is gone: the
    answer is complete for the keys asked, so the engine may record their deletion. Any
    other failure is not an answer: the engine falls back to listing the type.
    ``by_name``: the keys are resource names, not resource ids (IAM's events name a user,
    AWS Config identifies it by its unique id). ``batch``: how many keys one call takes.
    """

    paths: tuple[str, ...]
    describe: Callable[[Any, Scope, list[str]], Iterable[Raw]]
    not_found: frozenset[str] = frozenset()
    key: Callable[[str, Scope], str | None] = _same
    by_name: bool = False
    batch: int = 1
    # Events that change resources they do not name (a replaced association leaves its
    # old table unnamed): the type is listed for them, never targeted.
    listing_events: frozenset[str] = frozenset()

    def keys(self, record: Raw, scope: Scope) -> tuple[str, ...] | None:
        """The keys of this type an event names; None when it names nothing at the
        paths (then the engine lists the type), () when it names only other types'."""
        found = [value for path in self.paths for value in values_at(record, path)]
        if not found:
            return None
        keys = (self.key(value, scope) for value in found)
        return tuple(dict.fromkeys(k for k in keys if k))


def values_at(record: Any, path: str) -> Iterator[str]:
    """The strings at ``path`` in ``record`` (see ``Targeted``)."""
    yield from _walk_path(record, path.split(".") if path else [])


def _walk_path(value: Any, steps: list[str]) -> Iterator[str]:
    if isinstance(value, list):
        for item in value:
            yield from _walk_path(item, steps)
        return
    if not steps:
        if isinstance(value, str) and value:
            yield value
        return
    step, rest = steps[0], steps[1:]
    if step == "**":
        yield from _walk_path(value, rest)
        if isinstance(value, dict):
            for item in value.values():
                yield from _walk_path(item, steps)
        return
    if not isinstance(value, dict):
        return
    if step in value:
        yield from _walk_path(value[step], rest)
    elif step == "items":  # CloudTrail's list wrapper, absent from the sandbox's records
        yield from _walk_path(value, rest)


@dataclass(frozen=True, slots=True)
class ResourceType:
    """The declaration of one AWS resource type (one file under resource_types/)."""

    type_name: str  # AWS::EC2::SecurityGroup, as in botocore's ResourceType enum
    service: str  # the boto3 client that describes it: "ec2", "s3", ...
    fetch: Callable[[Any, Scope], Iterable[Raw]]
    transform: Callable[[Raw, Scope], Described]
    # CloudTrail event names (eventName) whose calls may change resources of this type.
    events: frozenset[str] = frozenset()
    # IAM's global types: recorded once, with awsRegion "global".
    global_type: bool = False
    # How to re-describe just the resources an event names; None: the type is listed.
    targeted: Targeted | None = None
    # Other resource types an event of this type changes without an event of their own
    # (a stack's resources, created by CloudFormation in-process), from its record.
    cascade: Callable[[Raw], Iterable[str]] | None = None


def prefixed(*prefixes: str) -> Callable[[str, Scope], str | None]:
    """A ``Targeted.key`` for EC2-style ids: the ones with this type's prefix."""

    def key(candidate: str, scope: Scope) -> str | None:
        return candidate if candidate.startswith(prefixes) else None

    return key


def tags_from_list(
    tags: Iterable[dict[str, Any]] | None, key: str = "Key", value: str = "Value"
) -> dict[str, str]:
    """AWS's [{Key, Value}] tag lists as the {key: value} map a configuration item carries."""
    return {t[key]: t.get(value, "") for t in tags or ()}


def epoch_ms(value: Any) -> int | None:
    """A boto3 datetime (or None) as epoch milliseconds."""
    if value is None:
        return None
    return int(value.timestamp() * 1000)


def lower_camel(value: Any) -> Any:
    """AWS Config's configuration documents use the service's shapes with lowerCamel keys
    (``GroupId`` -> ``groupId``); datetimes become ISO-8601 strings."""
    if isinstance(value, dict):
        return {(k[:1].lower() + k[1:]): lower_camel(v) for k, v in value.items()}
    if isinstance(value, list):
        return [lower_camel(v) for v in value]
    if hasattr(value, "isoformat"):
        return value.isoformat().replace("+00:00", "Z")
    return value


def _bean_key(key: str) -> str:
    run = len(key) - len(key.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ"))
    return key[:run].lower() + key[run:]


def bean(value: Any) -> Any:
    """A boto3 shape as AWS Config's Java-bean serialiser writes it for some types
    (DynamoDB, Auto Scaling): the leading run of capitals lowered (``SSEDescription`` ->
    ``ssedescription``) and times as epoch milliseconds."""
    if isinstance(value, dict):
        return {_bean_key(k): bean(v) for k, v in value.items()}
    if isinstance(value, list):
        return [bean(v) for v in value]
    if hasattr(value, "timestamp"):
        return epoch_ms(value)
    return value
