"""AWS::CloudTrail::Trail.

AWS Config identifies and names a trail by its name. A multi-region trail is one
resource, recorded in its home region: DescribeTrails runs with
``includeShadowTrails=False`` so the copies other regions show are not listed again.
The document is the trail's DescribeTrails record in lowerCamel. AWS Config records no
tags for trails (so neither tag calls nor ListTags matter here). A trail has no zone:
"Not Applicable". It declares no relationships.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from configledger.recorder.types import Described, Raw, ResourceType, Scope, lower_camel


def fetch(client: Any, scope: Scope) -> Iterator[Raw]:
    # DescribeTrails is not paginated: one call returns every trail of the region.
    yield from client.describe_trails(includeShadowTrails=False)["trailList"]


def transform(raw: Raw, scope: Scope) -> Described:
    return Described(
        resource_id=raw["Name"],
        resource_name=raw["Name"],
        arn=raw["TrailARN"],
        availability_zone="Not Applicable",
        configuration=lower_camel(raw),
    )


RESOURCE_TYPE = ResourceType(
    type_name="AWS::CloudTrail::Trail",
    service="cloudtrail",
    fetch=fetch,
    transform=transform,
    events=frozenset(
        {
            "CreateTrail",
            "UpdateTrail",
            "DeleteTrail",
            "PutEventSelectors",
            "PutInsightSelectors",
        }
    ),
)
