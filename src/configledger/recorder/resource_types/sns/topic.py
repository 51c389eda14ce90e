"""AWS::SNS::Topic.

AWS Config identifies a topic by its ARN and keeps GetTopicAttributes' map as the
document, keys as SNS spells them (``TopicArn``, ``Policy``, ``DisplayName``, ...; the rdk
example CI and awslabs/aws-config-resource-schema). The subscription counters
(SubscriptionsConfirmed/Pending/Deleted) are left out: they are not configuration, and
AWS Config's items do not carry them. The topic's tags are also the supplementary
``Tags``, a list of ``{key, value}`` (SNS's Tag shape, serialised the Java-bean way).
The zone is "Not Applicable"; topics declare no relationships.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from configledger.recorder.types import (
    Described,
    Raw,
    ResourceType,
    Scope,
    Targeted,
    tags_from_list,
)

_COUNTERS = frozenset({"SubscriptionsConfirmed", "SubscriptionsPending", "SubscriptionsDeleted"})


def fetch(client: Any, scope: Scope) -> Iterator[Raw]:
    for page in client.get_paginator("list_topics").paginate():
        for topic in page["Topics"]:
            yield _topic(client, topic["TopicArn"])


def describe(client: Any, scope: Scope, arns: list[str]) -> Iterator[Raw]:
    for arn in arns:
        yield _topic(client, arn)


def _topic(client: Any, arn: str) -> Raw:
    return {
        "TopicArn": arn,
        "Attributes": client.get_topic_attributes(TopicArn=arn)["Attributes"],
        "Tags": client.list_tags_for_resource(ResourceArn=arn).get("Tags", []),
    }


def _topic_arn(candidate: str, scope: Scope) -> str | None:
    """A topic's ARN (TagResource names any taggable SNS resource by its ARN)."""
    parts = candidate.split(":")
    return candidate if len(parts) == 6 and parts[0] == "arn" and parts[2] == "sns" else None


def transform(raw: Raw, scope: Scope) -> Described:
    arn = raw["TopicArn"]
    configuration = {k: v for k, v in raw["Attributes"].items() if k not in _COUNTERS}
    return Described(
        resource_id=arn,
        resource_name=arn.rsplit(":", 1)[-1],
        arn=arn,
        availability_zone="Not Applicable",
        configuration=configuration,
        tags=tags_from_list(raw["Tags"]),
        supplementary={"Tags": [{"key": t["Key"], "value": t["Value"]} for t in raw["Tags"]]},
    )


RESOURCE_TYPE = ResourceType(
    type_name="AWS::SNS::Topic",
    service="sns",
    fetch=fetch,
    transform=transform,
    targeted=Targeted(
        paths=(
            "requestParameters.topicArn",
            "responseElements.topicArn",
            "requestParameters.resourceArn",
        ),
        describe=describe,
        not_found=frozenset({"NotFound"}),
        key=_topic_arn,
    ),
    events=frozenset(
        {
            "CreateTopic",
            "DeleteTopic",
            "SetTopicAttributes",
            "AddPermission",
            "RemovePermission",
            "TagResource",
            "UntagResource",
        }
    ),
)
