"""The configuration item's renderings against spec 3.1-3.4, and its storage round trip."""

from __future__ import annotations

import json
import re
from dataclasses import replace

import botocore.session
import pytest

from configledger.history.items import (
    ConfigurationItem,
    ItemStatus,
    Relationship,
    stream_from_record,
)

CAPTURE_MS = 1_477_615_294_826  # 2016-10-28T00:41:34.826Z, the spec's example
CREATED_MS = 1_477_614_823_651
ISO_MS = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")

FULL = ConfigurationItem(
    account_id="264683526309",
    aws_region="us-east-1",
    resource_type="AWS::EC2::Volume",
    resource_id="vol-a416b170",
    capture_ms=CAPTURE_MS,
    state_id=CAPTURE_MS,
    status=ItemStatus.RESOURCE_DISCOVERED,
    configuration='{"volumeId":"vol-a416b170","size":8,"encrypted":false,"attachments":[]}',
    resource_name="data",
    arn="arn:aws:ec2:us-east-1:264683526309:volume/vol-a416b170",
    availability_zone="us-east-1c",
    resource_creation_ms=CREATED_MS,
    tags={"team": "storage"},
    relationships=(
        Relationship("AWS::EC2::Instance", "Is attached to Instance", resource_id="i-29e75b19"),
        Relationship("AWS::IAM::Role", "Is associated with ", resource_name="role-name"),
    ),
    related_events=(),
    supplementary_configuration={
        "BucketPolicy": '{"policyText":null}',
        "AccessControlList": "not json at all",
    },
)

MINIMAL = ConfigurationItem(
    account_id="123456789012",
    aws_region="eu-west-1",
    resource_type="MyCompany::Build::Agent",
    resource_id="agent-1",
    capture_ms=1_700_000_000_005,
    state_id=1_700_000_000_005,
    status=ItemStatus.RESOURCE_DELETED,
)

_model = botocore.session.get_session().get_service_model("config")


def _members(shape_name: str) -> set[str]:
    return set(_model.shape_for(shape_name).members)


# -- the API form ----------------------------------------------------------------------------


def test_api_form_of_a_full_item() -> None:
    api = FULL.to_api()
    assert api == {
        "version": "1.3",
        "accountId": "264683526309",
        "configurationItemCaptureTime": 1477615294.826,
        "configurationItemStatus": "ResourceDiscovered",
        "configurationStateId": "1477615294826",
        "configurationItemMD5Hash": "",
        "arn": "arn:aws:ec2:us-east-1:264683526309:volume/vol-a416b170",
        "resourceType": "AWS::EC2::Volume",
        "resourceId": "vol-a416b170",
        "resourceName": "data",
        "awsRegion": "us-east-1",
        "availabilityZone": "us-east-1c",
        "resourceCreationTime": 1477614823.651,
        "tags": {"team": "storage"},
        "relatedEvents": [],
        "relationships": [
            {
                "resourceType": "AWS::EC2::Instance",
                "resourceId": "i-29e75b19",
                "relationshipName": "Is attached to Instance",
            },
            {
                "resourceType": "AWS::IAM::Role",
                "resourceName": "role-name",
                "relationshipName": "Is associated with ",
            },
        ],
        "configuration": FULL.configuration,
        "supplementaryConfiguration": FULL.supplementary_configuration,
    }
    assert isinstance(api["configuration"], str)  # a JSON string in the API
    assert set(api) <= _members("ConfigurationItem")
    for relationship in api["relationships"]:
        assert set(relationship) <= _members("Relationship")
        assert "name" not in relationship


def test_api_form_omits_absent_members() -> None:
    api = MINIMAL.to_api()
    assert None not in api.values()
    for absent in (
        "configuration",
        "resourceName",
        "arn",
        "availabilityZone",
        "resourceCreationTime",
    ):
        assert absent not in api
    assert api["configurationItemStatus"] == "ResourceDeleted"
    assert api["configurationStateId"] == "1700000000005"
    assert api["configurationItemCaptureTime"] == 1700000000.005
    assert api["tags"] == {} and api["relationships"] == [] and api["relatedEvents"] == []
    assert api["supplementaryConfiguration"] == {}


def test_base_api_form_is_the_api_form_minus_four_members() -> None:
    base = FULL.to_base_api()
    api = FULL.to_api()
    removed = {"configurationItemMD5Hash", "tags", "relatedEvents", "relationships"}
    assert set(api) - set(base) == removed
    assert {k: v for k, v in api.items() if k not in removed} == base
    assert set(base) <= _members("BaseConfigurationItem")
    assert not removed & _members("BaseConfigurationItem")


def test_api_forms_do_not_share_the_items_mutable_state() -> None:
    api = FULL.to_api()
    api["tags"]["new"] = "x"
    api["supplementaryConfiguration"]["new"] = "x"
    assert FULL.tags == {"team": "storage"}
    assert "new" not in FULL.supplementary_configuration


# -- the stream form -------------------------------------------------------------------------


def test_stream_form_of_a_full_item() -> None:
    stream = FULL.to_stream()
    assert stream == {
        "relatedEvents": [],
        "relationships": [
            {
                "resourceId": "i-29e75b19",
                "resourceName": None,
                "resourceType": "AWS::EC2::Instance",
                "name": "Is attached to Instance",
            },
            {
                "resourceId": None,
                "resourceName": "role-name",
                "resourceType": "AWS::IAM::Role",
                "name": "Is associated with ",
            },
        ],
        "configuration": {
            "volumeId": "vol-a416b170",
            "size": 8,
            "encrypted": False,
            "attachments": [],
        },
        "supplementaryConfiguration": {
            "BucketPolicy": {"policyText": None},  # JSON values become objects
            "AccessControlList": "not json at all",  # what is not JSON stays a string
        },
        "tags": {"team": "storage"},
        "configurationItemVersion": "1.3",
        "configurationItemCaptureTime": "2016-10-28T00:41:34.826Z",
        "configurationStateId": 1477615294826,
        "awsAccountId": "264683526309",
        "configurationItemStatus": "ResourceDiscovered",
        "resourceType": "AWS::EC2::Volume",
        "resourceId": "vol-a416b170",
        "resourceName": "data",
        "ARN": "arn:aws:ec2:us-east-1:264683526309:volume/vol-a416b170",
        "awsRegion": "us-east-1",
        "availabilityZone": "us-east-1c",
        "configurationStateMd5Hash": "",
        "resourceCreationTime": "2016-10-28T00:33:43.651Z",
    }
    assert isinstance(stream["configurationStateId"], int)
    for api_only in ("version", "accountId", "arn", "configurationItemMD5Hash"):
        assert api_only not in stream
    for relationship in stream["relationships"]:
        assert "relationshipName" not in relationship


def test_stream_form_keeps_nulls() -> None:
    stream = MINIMAL.to_stream()
    for key in ("configuration", "resourceName", "ARN", "availabilityZone", "resourceCreationTime"):
        assert key in stream
        assert stream[key] is None
    assert stream["configurationItemStatus"] == "ResourceDeleted"
    assert stream["configurationItemCaptureTime"] == "2023-11-14T22:13:20.005Z"
    assert stream["tags"] == {} and stream["relationships"] == []
    # The stream form is JSON as it is: serialising keeps the nulls.
    assert '"resourceName":null' in json.dumps(stream, separators=(",", ":"))


@pytest.mark.parametrize(
    ("ms", "iso"),
    [
        (0, "1970-01-01T00:00:00.000Z"),
        (1, "1970-01-01T00:00:00.001Z"),
        (1_484_002_215_156, "2017-01-09T22:50:15.156Z"),
        (1_484_002_215_000, "2017-01-09T22:50:15.000Z"),
        (1_484_002_215_050, "2017-01-09T22:50:15.050Z"),
        (4_102_444_799_999, "2099-12-31T23:59:59.999Z"),
    ],
)
def test_stream_times_are_iso_with_millis(ms: int, iso: str) -> None:
    item = replace(MINIMAL, capture_ms=ms, state_id=ms, resource_creation_ms=ms)
    stream = item.to_stream()
    assert stream["configurationItemCaptureTime"] == iso
    assert stream["resourceCreationTime"] == iso
    assert ISO_MS.match(iso)
    assert item.to_api()["configurationItemCaptureTime"] == ms / 1000


def test_stream_configuration_is_parsed_as_json() -> None:
    item = replace(MINIMAL, status=ItemStatus.OK, configuration='{"a": [1, 2.5, null, "x"]}')
    assert item.to_stream()["configuration"] == {"a": [1, 2.5, None, "x"]}
    assert item.to_api()["configuration"] == '{"a": [1, 2.5, null, "x"]}'


# -- storage -------------------------------------------------------------------------------


@pytest.mark.parametrize("item", [FULL, MINIMAL], ids=["full", "minimal"])
def test_record_round_trip(item: ConfigurationItem) -> None:
    record = item.to_record()
    assert isinstance(record, bytes)
    back = ConfigurationItem.from_record(record)
    assert back == item
    assert back.to_api() == item.to_api()
    assert back.to_stream() == item.to_stream()
    assert back.to_record() == record
    assert isinstance(back.status, ItemStatus)
    assert all(isinstance(r, Relationship) for r in back.relationships)


DAILY = replace(
    FULL, status=ItemStatus.OK, related_events=("e1",), recording_frequency="DAILY",
    delivery_ms=CAPTURE_MS + 500,
)  # fmt: skip


@pytest.mark.parametrize("item", [FULL, MINIMAL, DAILY], ids=["full", "minimal", "daily"])
def test_stream_from_record_is_the_items_stream_form(item: ConfigurationItem) -> None:
    streamed = stream_from_record(item.to_record())
    expected = item.to_stream()
    assert streamed == expected
    assert list(streamed) == list(expected)  # the same key order


def test_record_keeps_configuration_text_exactly() -> None:
    text = '{ "b" : 1,\n  "a":  [ 2 ] , "é": "ü" }'
    item = replace(MINIMAL, status=ItemStatus.OK, configuration=text)
    assert ConfigurationItem.from_record(item.to_record()).configuration == text


def test_record_keeps_an_older_version_and_related_events() -> None:
    item = replace(FULL, version="1.2", related_events=("e1", "e2"))
    back = ConfigurationItem.from_record(item.to_record())
    assert back.version == "1.2"
    assert back.related_events == ("e1", "e2")
    assert back.to_stream()["configurationItemVersion"] == "1.2"
    assert back.to_api()["relatedEvents"] == ["e1", "e2"]


def test_deletion_statuses() -> None:
    assert ItemStatus.RESOURCE_DELETED.is_deletion
    assert ItemStatus.RESOURCE_DELETED_NOT_RECORDED.is_deletion
    assert not ItemStatus.OK.is_deletion
    assert not ItemStatus.RESOURCE_DISCOVERED.is_deletion
    assert not ItemStatus.RESOURCE_NOT_RECORDED.is_deletion
    enum = set(_model.shape_for("ConfigurationItemStatus").enum)
    assert {status.value for status in ItemStatus} == enum


def test_key() -> None:
    key = FULL.key
    assert (key.account_id, key.region, key.resource_type, key.resource_id) == (
        "264683526309",
        "us-east-1",
        "AWS::EC2::Volume",
        "vol-a416b170",
    )
