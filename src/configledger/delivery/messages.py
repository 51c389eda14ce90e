"""The SNS messages of the configuration stream (spec 6.7): bodies and subjects.

Bodies are dicts in AWS's key order; ``encode`` renders them as the JSON string SNS
carries. Subjects are ASCII, at most 100 characters, truncated with ``...``.
"""

from __future__ import annotations

from typing import Any

import orjson

from configledger.clock import iso_ms
from configledger.history.items import ConfigurationItem, ItemStatus

# SNS's limit on a message (and on a whole PublishBatch request).
SNS_LIMIT = 262_144
SUBJECT_LIMIT = 100

CHANGE = "ConfigurationItemChangeNotification"
OVERSIZED = "OversizedConfigurationItemChangeNotification"
OVERSIZED_FAILED = "OversizedConfigurationItemChangeDeliveryFailed"
HISTORY_COMPLETED = "ConfigurationHistoryDeliveryCompleted"
SNAPSHOT_STARTED = "ConfigurationSnapshotDeliveryStarted"
SNAPSHOT_COMPLETED = "ConfigurationSnapshotDeliveryCompleted"
SNAPSHOT_FAILED = "ConfigurationSnapshotDeliveryFailed"
COMPLIANCE = "ComplianceChangeNotification"
EVALUATION_STARTED = "ConfigRulesEvaluationStarted"

# The outbox topics other services publish, whose payload {"message": body} goes out as is.
COMPLIANCE_TOPIC = "ComplianceChanged"
EVALUATION_STARTED_TOPIC = "ConfigRulesEvaluationStarted"

# Stream-form fields left out of an oversized notification's configurationItemSummary.
_NOT_IN_SUMMARY = frozenset(
    {"relatedEvents", "relationships", "configuration", "supplementaryConfiguration", "tags"}
)


def encode(body: dict[str, Any]) -> str:
    return orjson.dumps(body).decode()


def subject(text: str) -> str:
    """SNS subjects are printable ASCII without line breaks, 100 characters at most."""
    clean = "".join(c if " " <= c <= "~" else "?" for c in text)
    return clean if len(clean) <= SUBJECT_LIMIT else clean[: SUBJECT_LIMIT - 3] + "..."


def _prefix(region: str) -> str:
    return f"[AWS Config:{region}]"


def _verb(status: ItemStatus) -> str:
    if status.is_deletion:
        return "Deleted"
    if status in (ItemStatus.RESOURCE_DISCOVERED, ItemStatus.RESOURCE_NOT_RECORDED):
        return "Created"
    return "Updated"


def change_type(status: ItemStatus) -> str:
    if status.is_deletion:
        return "DELETE"
    if status in (ItemStatus.RESOURCE_DISCOVERED, ItemStatus.RESOURCE_NOT_RECORDED):
        return "CREATE"
    return "UPDATE"


def item_subject(item: ConfigurationItem, region: str) -> str:
    return subject(
        f"{_prefix(region)} {item.resource_type} {item.resource_id} {_verb(item.status)} "
        f"in Account {item.account_id}"
    )


def item_change(
    item: ConfigurationItem, diff: dict[str, Any] | None, now_ms: int
) -> dict[str, Any]:
    return {
        "configurationItemDiff": diff,
        "configurationItem": item.to_stream(),
        "notificationCreationTime": iso_ms(now_ms),
        "messageType": CHANGE,
        "recordVersion": "1.3",
    }


def summary(item: ConfigurationItem) -> dict[str, Any]:
    stream = item.to_stream()
    out: dict[str, Any] = {"changeType": change_type(item.status)}
    out.update((k, v) for k, v in stream.items() if k not in _NOT_IN_SUMMARY)
    return out


def oversized(
    item: ConfigurationItem,
    now_ms: int,
    *,
    location: str | None,
    error_code: str | None = None,
    error_message: str | None = None,
) -> dict[str, Any]:
    """The pointer to an item too big for SNS (or, with an error, the news that its
    file could not be written)."""
    return {
        "configurationItemSummary": summary(item),
        "s3DeliverySummary": {
            "s3BucketLocation": location,
            "errorCode": error_code,
            "errorMessage": error_message,
        },
        "notificationCreationTime": iso_ms(now_ms),
        "messageType": OVERSIZED if error_code is None else OVERSIZED_FAILED,
        "recordVersion": "1.0",
    }


def history_completed(bucket: str, key: str, now_ms: int) -> dict[str, Any]:
    return {
        "s3ObjectKey": key,
        "s3Bucket": bucket,
        "notificationCreationTime": iso_ms(now_ms),
        "messageType": HISTORY_COMPLETED,
        "recordVersion": "1.1",
    }


def history_subject(account_id: str, region: str) -> str:
    return subject(
        f"{_prefix(region)} Configuration History Delivery Completed for Account {account_id}"
    )


def snapshot_started(snapshot_id: str, now_ms: int) -> dict[str, Any]:
    return {
        "configSnapshotId": snapshot_id,
        "notificationCreationTime": iso_ms(now_ms),
        "messageType": SNAPSHOT_STARTED,
        "recordVersion": "1.1",
    }


def snapshot_completed(snapshot_id: str, bucket: str, key: str, now_ms: int) -> dict[str, Any]:
    return {
        "configSnapshotId": snapshot_id,
        "s3ObjectKey": key,
        "s3Bucket": bucket,
        "notificationCreationTime": iso_ms(now_ms),
        "messageType": SNAPSHOT_COMPLETED,
        "recordVersion": "1.1",
    }


def snapshot_failed(snapshot_id: str, failure: str, now_ms: int) -> dict[str, Any]:
    return {
        "configSnapshotId": snapshot_id,
        "notificationCreationTime": iso_ms(now_ms),
        "messageType": SNAPSHOT_FAILED,
        "recordVersion": "1.1",
        "failureMessage": failure,
    }


def snapshot_subject(account_id: str, region: str, what: str) -> str:
    """``what``: Started, Completed or Failed."""
    return subject(
        f"{_prefix(region)} Configuration Snapshot Delivery {what} for Account {account_id}"
    )


def forwarded_subject(body: dict[str, Any], region: str) -> str:
    """The subject of a message another service composed (compliance, evaluation start)."""
    account = body.get("awsAccountId", "")
    if body.get("messageType") == COMPLIANCE:
        compliance = (body.get("newEvaluationResult") or {}).get("complianceType", "")
        return subject(
            f"{_prefix(region)} {body.get('resourceType')} {body.get('resourceId')} is "
            f"{compliance} with {body.get('configRuleName')} in Account {account}"
        )
    return subject(f"{_prefix(region)} Config Rules Evaluation Started for Account {account}")
