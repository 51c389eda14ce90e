"""Publishing to the channel's topic: PublishBatch, at most ten messages and 256 KB a
request, and a callback after each accepted batch so its rows leave the queue at once.
A crash can then repeat at most the batch that was in flight."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from configledger.delivery.messages import SNS_LIMIT

_BATCH = 10


@dataclass(frozen=True, slots=True)
class Outgoing:
    ident: str  # unique within a batch
    subject: str
    message: str


class PublishFailed(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message


def _batches(messages: Sequence[Outgoing]) -> list[list[Outgoing]]:
    batches: list[list[Outgoing]] = []
    current: list[Outgoing] = []
    size = 0
    for message in messages:
        weight = len(message.message.encode()) + len(message.subject)
        if current and (len(current) == _BATCH or size + weight > SNS_LIMIT):
            batches.append(current)
            current, size = [], 0
        current.append(message)
        size += weight
    if current:
        batches.append(current)
    return batches


def publish(
    sns: Any,
    topic_arn: str,
    messages: Sequence[Outgoing],
    done: Callable[[list[Outgoing]], None],
) -> None:
    """Publish in order; ``done`` after each batch SNS accepted. Raises PublishFailed."""
    for batch in _batches(messages):
        answer = sns.publish_batch(
            TopicArn=topic_arn,
            PublishBatchRequestEntries=[
                {"Id": m.ident, "Subject": m.subject, "Message": m.message} for m in batch
            ],
        )
        failed = answer.get("Failed") or []
        if failed:
            first = failed[0]
            accepted = {s["Id"] for s in answer.get("Successful") or []}
            done([m for m in batch if m.ident in accepted])
            raise PublishFailed(str(first.get("Code")), str(first.get("Message")))
        done(batch)
