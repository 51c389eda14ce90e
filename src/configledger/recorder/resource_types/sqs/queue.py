"""AWS::SQS::Queue.

AWS Config identifies a queue by its URL (the type's primary identifier, as in
CloudFormation) and names it by its queue name; the ARN is the QueueArn attribute.
The document is GetQueueAttributes' map (All), keys as SQS spells them, plus
``QueueUrl`` and ``QueueName``; the attributes awslabs/aws-config-resource-schema types
as integers are integers, the rest stay SQS's strings. The ApproximateNumberOfMessages*
counters are left out: they move with traffic, not configuration, and AWS Config does
not list them among the type's properties. The zone is "Not Applicable"; queues declare
no relationships.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from configledger.recorder.types import Described, Raw, ResourceType, Scope

_COUNTERS = frozenset(
    {
        "ApproximateNumberOfMessages",
        "ApproximateNumberOfMessagesNotVisible",
        "ApproximateNumberOfMessagesDelayed",
    }
)
_INTEGERS = frozenset(
    {
        "DelaySeconds",
        "KmsDataKeyReusePeriodSeconds",
        "MaximumMessageSize",
        "MessageRetentionPeriod",
        "ReceiveMessageWaitTimeSeconds",
        "VisibilityTimeout",
    }
)


def fetch(client: Any, scope: Scope) -> Iterator[Raw]:
    for page in client.get_paginator("list_queues").paginate():
        for url in page.get("QueueUrls", []):
            attributes = client.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])
            yield {
                "QueueUrl": url,
                "Attributes": attributes["Attributes"],
                "Tags": client.list_queue_tags(QueueUrl=url).get("Tags", {}),
            }


def transform(raw: Raw, scope: Scope) -> Described:
    url = raw["QueueUrl"]
    attributes = raw["Attributes"]
    name = url.rstrip("/").rsplit("/", 1)[-1]
    configuration: dict[str, Any] = {
        key: int(value) if key in _INTEGERS else value
        for key, value in attributes.items()
        if key not in _COUNTERS
    }
    configuration["QueueUrl"] = url
    configuration["QueueName"] = name
    created = attributes.get("CreatedTimestamp")
    return Described(
        resource_id=url,
        resource_name=name,
        arn=attributes["QueueArn"],
        availability_zone="Not Applicable",
        resource_creation_ms=int(float(created) * 1000) if created else None,
        configuration=configuration,
        tags=dict(raw["Tags"]),
    )


RESOURCE_TYPE = ResourceType(
    type_name="AWS::SQS::Queue",
    service="sqs",
    fetch=fetch,
    transform=transform,
    events=frozenset(
        {
            "CreateQueue",
            "DeleteQueue",
            "SetQueueAttributes",
            "AddPermission",
            "RemovePermission",
            "TagQueue",
            "UntagQueue",
        }
    ),
)
