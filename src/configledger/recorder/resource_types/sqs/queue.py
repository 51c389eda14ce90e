"""AWS::SQS::Queue.

AWS Config identifies a queue by its URL (the type's primary identifier, as in
CloudFormation), in SQS's own form ``https://sqs.<region>.amazonaws.com/<account>/<name>``
whatever host the listing was made through (an endpoint override, a legacy
``queue.amazonaws.com`` URL), so the id is the one CloudFormation reports as the queue's
physical id and a queue keeps one id however it is reached. It names it by its queue
name; the ARN is the QueueArn attribute.
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

from configledger.recorder.types import Described, Raw, ResourceType, Scope, Targeted

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
            yield _queue(client, url)


def describe(client: Any, scope: Scope, urls: list[str]) -> Iterator[Raw]:
    for url in urls:
        yield _queue(client, url)


def _queue(client: Any, url: str) -> Raw:
    attributes = client.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])
    return {
        "QueueUrl": url,
        "Attributes": attributes["Attributes"],
        "Tags": client.list_queue_tags(QueueUrl=url).get("Tags", {}),
    }


def queue_url(url: str, scope: Scope) -> str | None:
    """The queue's URL in SQS's own form, from any URL of it (None if not a queue URL)."""
    parts = url.split("?", 1)[0].rstrip("/").split("/")
    if len(parts) < 5 or not parts[-2].isdigit() or not parts[-1]:
        return None
    domain = "amazonaws.com.cn" if scope.partition == "aws-cn" else "amazonaws.com"
    return f"https://sqs.{scope.region}.{domain}/{parts[-2]}/{parts[-1]}"


def transform(raw: Raw, scope: Scope) -> Described:
    url = queue_url(raw["QueueUrl"], scope) or raw["QueueUrl"]
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
    targeted=Targeted(
        paths=("requestParameters.queueUrl", "responseElements.queueUrl"),
        describe=describe,
        not_found=frozenset({"AWS.SimpleQueueService.NonExistentQueue", "QueueDoesNotExist"}),
        key=queue_url,
    ),
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
