"""Delivery channel operations (spec 2.2, 6.1, 6.6).

PutDeliveryChannel checks the channel's shape, then reaches the bucket and the topic as
AWS does (delivery/checks.py) before anything is stored; DeliverConfigSnapshot queues a
snapshot for the delivery worker and answers at once; the status is what the worker
recorded of its last attempts.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import replace
from typing import Any

from configledger.api.context import RequestContext
from configledger.delivery.checks import check_bucket, check_topic
from configledger.delivery.clients import DeliveryClients
from configledger.delivery.outbox import DeliveryWorker
from configledger.errors import (
    InvalidDeliveryChannelNameException,
    InvalidS3KeyPrefixException,
    InvalidS3KmsKeyArnException,
    InvalidSNSTopicARNException,
    LastDeliveryChannelDeleteFailedException,
    MaxNumberOfDeliveryChannelsExceededException,
    NoAvailableConfigurationRecorderException,
    NoRunningConfigurationRecorderException,
    NoSuchBucketException,
    NoSuchDeliveryChannelException,
)
from configledger.operations.registry import Request, Response, operation
from configledger.store import channels as store
from configledger.store import deliveries
from configledger.store import recorders as recorder_store

_KMS_ARN = re.compile(r"^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:(key|alias)/.+$")
_SNS_ARN = re.compile(r"^arn:aws[a-z-]*:sns:(?P<region>[a-z0-9-]+):\d{12}:[A-Za-z0-9_.-]{1,256}$")
_CHANNEL_FIELDS = (
    "name",
    "s3BucketName",
    "s3KeyPrefix",
    "s3KmsKeyArn",
    "snsTopicARN",
    "configSnapshotDeliveryProperties",
)


def _no_such(name: str) -> NoSuchDeliveryChannelException:
    return NoSuchDeliveryChannelException(
        f"Cannot find delivery channel with specified name '{name}'."
    )


def _check_shape(ctx: RequestContext, channel: dict[str, Any]) -> None:
    name = channel["name"]
    if not name.strip():
        raise InvalidDeliveryChannelNameException(
            f"The delivery channel name '{name}' is not valid, blank string."
        )
    if not channel.get("s3BucketName"):
        raise NoSuchBucketException("Cannot find a S3 bucket with an empty bucket name.")
    prefix = channel.get("s3KeyPrefix")
    if prefix is not None:
        if prefix == "":
            raise InvalidS3KeyPrefixException(
                "The s3 key prefix '' is not valid, empty s3 key prefix."
            )
        if prefix.startswith("/") or "AWSLogs" in prefix:
            raise InvalidS3KeyPrefixException(
                f"The s3 key prefix '{prefix}' is not valid: it must not start with '/' "
                "or contain 'AWSLogs'."
            )
    kms = channel.get("s3KmsKeyArn")
    if kms is not None and not _KMS_ARN.match(kms):
        raise InvalidS3KmsKeyArnException(f"The arn '{kms}' is not a valid kms key or alias arn.")
    topic = channel.get("snsTopicARN")
    if topic is not None:
        match = _SNS_ARN.match(topic)
        if match is None:
            raise InvalidSNSTopicARNException(f"The sns topic arn '{topic}' is not valid.")
        if match["region"] != ctx.region:
            raise InvalidSNSTopicARNException(
                f"The sns topic arn '{topic}' is not valid: the topic must be in the region "
                f"of the delivery channel ({ctx.region})."
            )


def _clients(ctx: RequestContext) -> DeliveryClients:
    for worker in ctx.runtime.workers:
        if isinstance(worker, DeliveryWorker):
            return worker.clients
    return DeliveryClients(ctx.runtime.settings, ctx.runtime.credentials)


def _check_targets(ctx: RequestContext, channel: dict[str, Any]) -> None:
    """Reach the bucket and the topic, outside any transaction (they are remote)."""
    if not ctx.runtime.settings.delivery_channel_checks:
        return
    with ctx.database.read() as conn:
        found = recorder_store.list_recorders(conn, ctx.account_id, ctx.region)
    if not found:
        return  # refused below, inside the transaction
    clients = _clients(ctx)
    role_arn = found[0].role_arn
    check_bucket(clients, ctx.account_id, ctx.region, role_arn, channel)
    if channel.get("snsTopicARN"):
        check_topic(clients, ctx.account_id, ctx.region, role_arn, channel["snsTopicARN"])


@operation("PutDeliveryChannel")
def put_delivery_channel(ctx: RequestContext, request: Request) -> Response:
    given = request["DeliveryChannel"]
    channel = {key: given[key] for key in _CHANNEL_FIELDS if key in given}
    channel.setdefault("name", "default")
    _check_shape(ctx, channel)
    _check_targets(ctx, channel)
    with ctx.database.write() as conn:
        recorder_store.lock_configuration(conn, ctx.account_id, ctx.region)
        if not recorder_store.list_recorders(conn, ctx.account_id, ctx.region):
            raise NoAvailableConfigurationRecorderException(
                "Configuration recorder is not available to put delivery channel."
            )
        existing = store.list_channels(conn, ctx.account_id, ctx.region)
        if existing and all(c["name"] != channel["name"] for c in existing):
            raise MaxNumberOfDeliveryChannelsExceededException(
                f"Failed to put delivery channel '{channel['name']}' because the maximum "
                "number of delivery channels: 1 is reached."
            )
        store.put_channel(conn, ctx.account_id, ctx.region, channel, now_ms=ctx.now_ms)
    return {}


def _selected(ctx: RequestContext, names: list[str]) -> list[dict[str, Any]]:
    with ctx.database.read() as conn:
        found = store.list_channels(conn, ctx.account_id, ctx.region)
    if not names:
        return found
    by_name = {c["name"]: c for c in found}
    for name in names:
        if name not in by_name:
            raise _no_such(name)
    return [by_name[name] for name in dict.fromkeys(names)]


@operation("DescribeDeliveryChannels")
def describe_delivery_channels(ctx: RequestContext, request: Request) -> Response:
    return {"DeliveryChannels": _selected(ctx, request.get("DeliveryChannelNames") or [])}


def _export_info(status: deliveries.Status) -> dict[str, Any]:
    """ConfigExportDeliveryInfo: NOT_APPLICABLE until the first attempt."""
    out: dict[str, Any] = {"lastStatus": status.last_status or deliveries.NOT_APPLICABLE}
    if status.last_status == deliveries.FAILURE:
        out["lastErrorCode"] = status.last_error_code
        out["lastErrorMessage"] = status.last_error_message
    for field, ms in (
        ("lastAttemptTime", status.last_attempt_ms),
        ("lastSuccessfulTime", status.last_success_ms),
        ("nextDeliveryTime", status.next_delivery_ms),
    ):
        if ms is not None:
            out[field] = ms / 1000
    return out


def _stream_info(channel: dict[str, Any], status: deliveries.Status) -> dict[str, Any]:
    if not channel.get("snsTopicARN"):
        return {"lastStatus": deliveries.NOT_APPLICABLE}
    out: dict[str, Any] = {"lastStatus": status.last_status or deliveries.NOT_APPLICABLE}
    if status.last_status == deliveries.FAILURE:
        out["lastErrorCode"] = status.last_error_code
        out["lastErrorMessage"] = status.last_error_message
    if status.last_status_change_ms is not None:
        out["lastStatusChangeTime"] = status.last_status_change_ms / 1000
    return out


@operation("DescribeDeliveryChannelStatus")
def describe_delivery_channel_status(ctx: RequestContext, request: Request) -> Response:
    selected = _selected(ctx, request.get("DeliveryChannelNames") or [])
    with ctx.database.read() as conn:
        found = deliveries.statuses(conn, ctx.account_id, ctx.region) if selected else {}
    history = found.get(deliveries.HISTORY)
    if history is not None and (history.next_delivery_ms or 0) < ctx.now_ms:
        # History goes out at every multiple of the interval that follows a change.
        interval = max(1, ctx.runtime.settings.history_delivery_interval) * 1000
        history = replace(history, next_delivery_ms=(ctx.now_ms // interval + 1) * interval)
    statuses = [
        {
            "name": channel["name"],
            "configSnapshotDeliveryInfo": _export_info(found[deliveries.SNAPSHOT]),
            "configHistoryDeliveryInfo": _export_info(history or found[deliveries.HISTORY]),
            "configStreamDeliveryInfo": _stream_info(channel, found[deliveries.STREAM]),
        }
        for channel in selected
    ]
    return {"DeliveryChannelsStatus": statuses}


@operation("DeliverConfigSnapshot")
def deliver_config_snapshot(ctx: RequestContext, request: Request) -> Response:
    name = request["deliveryChannelName"]
    snapshot_id = str(uuid.uuid4())
    with ctx.database.write() as conn:
        recorder_store.lock_configuration(conn, ctx.account_id, ctx.region)
        if all(c["name"] != name for c in store.list_channels(conn, ctx.account_id, ctx.region)):
            raise _no_such(name)
        found = recorder_store.list_recorders(conn, ctx.account_id, ctx.region)
        if not found:
            raise NoAvailableConfigurationRecorderException(
                "Configuration recorder is not available to deliver a snapshot."
            )
        if not any(r.recording for r in found):
            raise NoRunningConfigurationRecorderException(
                "There is no configuration recorder running to deliver a snapshot."
            )
        deliveries.request_snapshot(conn, ctx.account_id, ctx.region, snapshot_id, ctx.now_ms)
    for worker in ctx.runtime.workers:
        worker.notify()
    return {"configSnapshotId": snapshot_id}


@operation("DeleteDeliveryChannel")
def delete_delivery_channel(ctx: RequestContext, request: Request) -> Response:
    name = request["DeliveryChannelName"]
    with ctx.database.write() as conn:
        recorder_store.lock_configuration(conn, ctx.account_id, ctx.region)
        if all(c["name"] != name for c in store.list_channels(conn, ctx.account_id, ctx.region)):
            raise _no_such(name)
        if any(
            r.recording for r in recorder_store.list_recorders(conn, ctx.account_id, ctx.region)
        ):
            raise LastDeliveryChannelDeleteFailedException(
                f"Failed to delete last specified delivery channel with name '{name}', because "
                "there is a running configuration recorder."
            )
        store.delete_channel(conn, ctx.account_id, ctx.region, name)
        deliveries.forget_partition(conn, ctx.account_id, ctx.region)
    return {}
