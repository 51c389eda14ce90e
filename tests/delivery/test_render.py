"""The files' fast rendering equals the item's own stream form, field for field."""

from __future__ import annotations

import orjson
import pytest

from configledger.delivery.render import stream_json
from configledger.history.items import ConfigurationItem, ItemStatus, Relationship

CONFIGURATION = '{"userName":"u","nested":{"list":[1,2.5,null,"x"]},"unicode":"\\u00e9t\\u00e9"}'
ITEMS = {
    "discovered-minimal": ConfigurationItem(
        "123456789012", "us-east-1", "AWS::S3::Bucket", "b", 1_700_000_000_123,
        1_700_000_000_123, ItemStatus.RESOURCE_DISCOVERED, configuration='{"name": "b"}',
    ),
    "everything-set": ConfigurationItem(
        "123456789012", "global", "AWS::IAM::User", "AIDA1", 1_700_000_000_000,
        1_700_000_000_001, ItemStatus.OK,
        configuration=CONFIGURATION,
        resource_name="u", arn="arn:aws:iam::123456789012:user/u",
        availability_zone="Not Applicable",
        resource_creation_ms=1_600_000_000_000, tags={"k": "v"},
        relationships=(
            Relationship("AWS::IAM::Group", "Is attached to Group", "AGPA1", "g"),
            Relationship("AWS::IAM::Role", "Is associated with ", None, "role-name"),
        ),
        related_events=("06c12a39-eb35-11de-ae07-adb69edbb1e4",),
        supplementary_configuration={"Policy": '{"a": 1}', "AccessControlList": "not json"},
    ),
    "deleted": ConfigurationItem(
        "123456789012", "us-east-1", "AWS::EC2::VPC", "vpc-1", 1_700_000_000_000,
        1_700_000_000_000, ItemStatus.RESOURCE_DELETED,
    ),
    "daily": ConfigurationItem(
        "123456789012", "us-east-1", "AWS::EC2::Volume", "vol-1", 1_700_000_000_000,
        1_700_000_000_000, ItemStatus.OK, configuration="[]", recording_frequency="DAILY",
        delivery_ms=1_700_000_500_000,
    ),
}  # fmt: skip


@pytest.mark.parametrize("item", ITEMS.values(), ids=ITEMS.keys())
def test_stream_json_is_the_stream_form(item: ConfigurationItem) -> None:
    rendered = stream_json(item.to_record())
    expected = item.to_stream()
    parsed = orjson.loads(rendered)
    assert parsed == expected
    assert list(parsed) == list(expected)  # the same key order
