"""The configuration item (CI) and its two renderings.

AWS renders one CI two ways (spec 3.3): the API form returned by
GetResourceConfigHistory and BatchGetResourceConfig (``configuration`` a JSON *string*,
times as epoch seconds, absent keys omitted), and the stream form used in SNS
messages, S3 files and rule events (``configuration`` an object, ISO-8601 times,
``awsAccountId``/``ARN``/``configurationItemVersion``, nulls kept). Both are derived from
one frozen ``ConfigurationItem``; nothing stores either rendering.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

import orjson

from configledger.clock import iso_ms

ITEM_VERSION = "1.3"


class ItemStatus(StrEnum):
    OK = "OK"
    RESOURCE_DISCOVERED = "ResourceDiscovered"
    RESOURCE_NOT_RECORDED = "ResourceNotRecorded"
    RESOURCE_DELETED = "ResourceDeleted"
    RESOURCE_DELETED_NOT_RECORDED = "ResourceDeletedNotRecorded"

    @property
    def is_deletion(self) -> bool:
        return self in (ItemStatus.RESOURCE_DELETED, ItemStatus.RESOURCE_DELETED_NOT_RECORDED)


# Items of resources outside the recording group: kept for the inventory (AWS lists them),
# with no configuration to deliver.
NOT_RECORDED = frozenset(
    {ItemStatus.RESOURCE_NOT_RECORDED, ItemStatus.RESOURCE_DELETED_NOT_RECORDED}
)
# Items that describe no live, recorded resource: rules settle them NOT_APPLICABLE and
# advanced queries never see them.
NOT_LIVE = NOT_RECORDED | {ItemStatus.RESOURCE_DELETED}


@dataclass(frozen=True, slots=True)
class Relationship:
    resource_type: str
    relationship_name: str
    resource_id: str | None = None
    resource_name: str | None = None

    def to_api(self) -> dict[str, str]:
        out = {"resourceType": self.resource_type}
        if self.resource_id is not None:
            out["resourceId"] = self.resource_id
        if self.resource_name is not None:
            out["resourceName"] = self.resource_name
        out["relationshipName"] = self.relationship_name
        return out

    def to_stream(self) -> dict[str, str | None]:
        return {
            "resourceId": self.resource_id,
            "resourceName": self.resource_name,
            "resourceType": self.resource_type,
            "name": self.relationship_name,
        }


@dataclass(frozen=True, slots=True)
class ResourceKey:
    account_id: str
    region: str
    resource_type: str
    resource_id: str


@dataclass(frozen=True, slots=True)
class ConfigurationItem:
    """One point-in-time record of one resource; times are epoch milliseconds."""

    account_id: str
    aws_region: str
    resource_type: str
    resource_id: str
    capture_ms: int
    state_id: int
    status: ItemStatus
    configuration: str | None = None  # JSON text, exactly as the API carries it
    resource_name: str | None = None
    arn: str | None = None
    availability_zone: str | None = None
    resource_creation_ms: int | None = None
    tags: dict[str, str] = field(default_factory=dict)
    relationships: tuple[Relationship, ...] = ()
    related_events: tuple[str, ...] = ()
    supplementary_configuration: dict[str, str] = field(default_factory=dict)
    version: str = ITEM_VERSION
    # Only for DAILY recording (spec 3.1): "DAILY" and when the item was delivered.
    recording_frequency: str | None = None
    delivery_ms: int | None = None

    # -- the API form -----------------------------------------------------------------

    def to_base_api(self) -> dict[str, Any]:
        """``BaseConfigurationItem``: what BatchGetResourceConfig returns (no tags,
        relationships, related events or MD5 hash)."""
        out: dict[str, Any] = {
            "version": self.version,
            "accountId": self.account_id,
            "configurationItemCaptureTime": self.capture_ms / 1000,
            "configurationItemStatus": self.status.value,
            "configurationStateId": str(self.state_id),
        }
        if self.arn is not None:
            out["arn"] = self.arn
        out["resourceType"] = self.resource_type
        out["resourceId"] = self.resource_id
        if self.resource_name is not None:
            out["resourceName"] = self.resource_name
        out["awsRegion"] = self.aws_region
        if self.availability_zone is not None:
            out["availabilityZone"] = self.availability_zone
        if self.resource_creation_ms is not None:
            out["resourceCreationTime"] = self.resource_creation_ms / 1000
        if self.configuration is not None:
            out["configuration"] = self.configuration
        out["supplementaryConfiguration"] = dict(self.supplementary_configuration)
        if self.recording_frequency is not None:
            out["recordingFrequency"] = self.recording_frequency
        if self.delivery_ms is not None:
            out["configurationItemDeliveryTime"] = self.delivery_ms / 1000
        return out

    def to_api(self) -> dict[str, Any]:
        """``ConfigurationItem``: what GetResourceConfigHistory returns."""
        out = self.to_base_api()
        out["configurationItemMD5Hash"] = ""  # empty since version 1.3
        out["tags"] = dict(self.tags)
        out["relatedEvents"] = list(self.related_events)
        out["relationships"] = [r.to_api() for r in self.relationships]
        return out

    # -- the stream form ----------------------------------------------------------------

    def to_stream(self) -> dict[str, Any]:
        """The form of SNS messages, S3 history/snapshot files and rule events."""
        return {
            "relatedEvents": list(self.related_events),
            "relationships": [r.to_stream() for r in self.relationships],
            "configuration": (
                orjson.loads(self.configuration) if self.configuration is not None else None
            ),
            "supplementaryConfiguration": {
                key: _maybe_json(value) for key, value in self.supplementary_configuration.items()
            },
            "tags": dict(self.tags),
            "configurationItemVersion": self.version,
            "configurationItemCaptureTime": iso_ms(self.capture_ms),
            "configurationStateId": self.state_id,
            "awsAccountId": self.account_id,
            "configurationItemStatus": self.status.value,
            "resourceType": self.resource_type,
            "resourceId": self.resource_id,
            "resourceName": self.resource_name,
            "ARN": self.arn,
            "awsRegion": self.aws_region,
            "availabilityZone": self.availability_zone,
            "configurationStateMd5Hash": "",
            "resourceCreationTime": (
                iso_ms(self.resource_creation_ms) if self.resource_creation_ms is not None else None
            ),
            **(
                {
                    "recordingFrequency": self.recording_frequency,
                    "configurationItemDeliveryTime": iso_ms(self.delivery_ms or self.capture_ms),
                }
                if self.recording_frequency is not None
                else {}
            ),
        }

    # -- storage ------------------------------------------------------------------------

    def to_record(self) -> bytes:
        """The stored document: compact, times in ms, every field, nothing derived.
        (orjson writes an enum as its value and a tuple as an array by itself, so a
        sweep's tens of thousands of items skip those conversions in Python.)"""
        return orjson.dumps(
            {
                "v": self.version,
                "a": self.account_id,
                "r": self.aws_region,
                "t": self.resource_type,
                "i": self.resource_id,
                "c": self.capture_ms,
                "s": self.state_id,
                "st": self.status,
                "cfg": self.configuration,
                "n": self.resource_name,
                "arn": self.arn,
                "az": self.availability_zone,
                "ct": self.resource_creation_ms,
                "tags": self.tags,
                "rel": [
                    [r.resource_type, r.relationship_name, r.resource_id, r.resource_name]
                    for r in self.relationships
                ],
                "ev": self.related_events,
                "sup": self.supplementary_configuration,
                "rf": self.recording_frequency,
                "dt": self.delivery_ms,
            }
        )

    @classmethod
    def from_record(cls, record: bytes) -> ConfigurationItem:
        d = orjson.loads(record)
        return cls(
            version=d["v"],
            account_id=d["a"],
            aws_region=d["r"],
            resource_type=d["t"],
            resource_id=d["i"],
            capture_ms=d["c"],
            state_id=d["s"],
            status=ItemStatus(d["st"]),
            configuration=d["cfg"],
            resource_name=d["n"],
            arn=d["arn"],
            availability_zone=d["az"],
            resource_creation_ms=d["ct"],
            tags=d["tags"],
            relationships=tuple(Relationship(*r) for r in d["rel"]),
            related_events=tuple(d["ev"]),
            supplementary_configuration=d["sup"],
            recording_frequency=d.get("rf"),
            delivery_ms=d.get("dt"),
        )

    @property
    def key(self) -> ResourceKey:
        return ResourceKey(self.account_id, self.aws_region, self.resource_type, self.resource_id)


def stream_from_record(record: bytes, *, splice_configuration: bool = False) -> dict[str, Any]:
    """``ConfigurationItem.from_record(record).to_stream()``, key for key, without the
    item in between: a full rule evaluation or a snapshot reads tens of thousands of
    stored items only to hand on their stream form. With ``splice_configuration`` the
    configuration stays the stored JSON text, as an ``orjson.Fragment`` that
    ``orjson.dumps`` writes as is (the files never need it parsed)."""
    d = orjson.loads(record)
    configuration = d["cfg"]
    if configuration is not None:
        configuration = (
            orjson.Fragment(configuration.encode())
            if splice_configuration
            else orjson.loads(configuration)
        )
    created = d["ct"]
    out: dict[str, Any] = {
        "relatedEvents": d["ev"],
        "relationships": [
            {"resourceId": r[2], "resourceName": r[3], "resourceType": r[0], "name": r[1]}
            for r in d["rel"]
        ],
        "configuration": configuration,
        "supplementaryConfiguration": {k: _maybe_json(v) for k, v in d["sup"].items()},
        "tags": d["tags"],
        "configurationItemVersion": d["v"],
        "configurationItemCaptureTime": iso_ms(d["c"]),
        "configurationStateId": d["s"],
        "awsAccountId": d["a"],
        "configurationItemStatus": d["st"],
        "resourceType": d["t"],
        "resourceId": d["i"],
        "resourceName": d["n"],
        "ARN": d["arn"],
        "awsRegion": d["r"],
        "availabilityZone": d["az"],
        "configurationStateMd5Hash": "",
        "resourceCreationTime": iso_ms(created) if created is not None else None,
    }
    if d.get("rf") is not None:
        out["recordingFrequency"] = d["rf"]
        out["configurationItemDeliveryTime"] = iso_ms(d.get("dt") or d["c"])
    return out


def _maybe_json(value: str) -> Any:
    """Supplementary values are JSON text in the API and objects in the stream, except
    those AWS leaves as strings (S3's AccessControlList); non-JSON stays a string."""
    try:
        return orjson.loads(value)
    except orjson.JSONDecodeError:
        return value
