"""Every SNS message type of the configuration stream, parsed back from an SQS queue
subscribed to the channel's topic, compared with spec 6.7."""

from __future__ import annotations

import json

from configledger.history.items import ResourceKey
from configledger.history.recording import Observation, record
from configledger.store import outbox
from tests.conftest import LiveServer
from tests.delivery.conftest import (
    about,
    bodies,
    drain,
    gunzip_json,
    objects,
    of_type,
    put_thing,
    remove_bucket,
    setup_delivery,
    wait_for,
)

ENVELOPE = {
    "Type", "MessageId", "TopicArn", "Subject", "Message", "Timestamp",
    "SignatureVersion", "Signature", "SigningCertURL", "UnsubscribeURL",
}  # fmt: skip
THING = "Delivery::Test::Thing"


def _is_iso(text: str) -> bool:
    return len(text) == 24 and text[10] == "T" and text.endswith("Z") and text[19] == "."


def test_change_notifications_for_create_update_and_delete(live: LiveServer) -> None:
    setup = setup_delivery(live)
    put_thing(setup.config, "t-1", {"state": "available", "size": 1})
    put_thing(setup.config, "t-1", {"state": "in-use", "size": 1})
    setup.config.delete_resource_config(ResourceType=THING, ResourceId="t-1")

    envelopes = drain(setup.sqs(), setup.queue_url, 3, match=about(THING))
    assert len(envelopes) == 3
    for envelope in envelopes:
        assert set(envelope) >= ENVELOPE
        assert envelope["Type"] == "Notification"
        assert envelope["TopicArn"] == setup.topic_arn
        assert isinstance(envelope["Message"], str)  # a JSON string on the wire
    account = setup.account
    assert [e["Subject"] for e in envelopes] == [
        f"[AWS Config:us-east-1] {THING} t-1 Created in Account {account}",
        f"[AWS Config:us-east-1] {THING} t-1 Updated in Account {account}",
        f"[AWS Config:us-east-1] {THING} t-1 Deleted in Account {account}",
    ]
    created, updated, deleted = bodies(envelopes)
    for body in (created, updated, deleted):
        assert list(body) == [
            "configurationItemDiff", "configurationItem", "notificationCreationTime",
            "messageType", "recordVersion",
        ]  # fmt: skip
        assert body["messageType"] == "ConfigurationItemChangeNotification"
        assert body["recordVersion"] == "1.3"
        assert _is_iso(body["notificationCreationTime"])
        item = body["configurationItem"]
        assert item["awsAccountId"] == account and item["resourceId"] == "t-1"
        assert isinstance(item["configurationStateId"], int)
        assert _is_iso(item["configurationItemCaptureTime"])
    assert created["configurationItemDiff"] == {"changedProperties": {}, "changeType": "CREATE"}
    assert created["configurationItem"]["configurationItemStatus"] == "ResourceDiscovered"
    assert updated["configurationItemDiff"] == {
        "changedProperties": {
            "Configuration.State": {
                "previousValue": "available",
                "updatedValue": "in-use",
                "changeType": "UPDATE",
            }
        },
        "changeType": "UPDATE",
    }
    assert updated["configurationItem"]["configuration"] == {"state": "in-use", "size": 1}
    assert deleted["configurationItem"]["configurationItemStatus"] == "ResourceDeleted"
    assert deleted["configurationItem"]["configuration"] is None
    assert deleted["configurationItemDiff"]["changeType"] == "DELETE"
    # What the API serves and what the stream carried are the same item.
    api = setup.config.get_resource_config_history(resourceType=THING, resourceId="t-1")
    states = [int(i["configurationStateId"]) for i in api["configurationItems"]][::-1]
    assert [b["configurationItem"]["configurationStateId"] for b in bodies(envelopes)] == states


def test_an_item_over_256_kb_goes_to_s3_with_a_pointer_on_sns(live: LiveServer) -> None:
    setup = setup_delivery(live)
    # An observation as big as a security group with thousands of rules; recorded the way
    # the recorder records one (PutResourceConfig caps configurations at 64 KB).
    key = ResourceKey(setup.account, "us-east-1", "AWS::EC2::SecurityGroup", "sg-big")
    rules = [{"cidrIp": f"10.{i // 256}.{i % 256}.0/24", "fromPort": 443} for i in range(8000)]
    database = live.app.runtime.database
    item = record(
        database,
        Observation(key=key, configuration=json.dumps({"groupId": "sg-big", "ipRanges": rules})),
        now_ms=live.app.runtime.clock.now_ms(),
        custom=False,
    )
    assert item is not None
    live.app.runtime.notify_all()

    big = about("AWS::EC2::SecurityGroup", "sg-big")
    [envelope] = drain(setup.sqs(), setup.queue_url, 1, match=big)
    body = json.loads(envelope["Message"])
    assert list(body) == [
        "configurationItemSummary", "s3DeliverySummary", "notificationCreationTime",
        "messageType", "recordVersion",
    ]  # fmt: skip
    assert body["messageType"] == "OversizedConfigurationItemChangeNotification"
    assert body["recordVersion"] == "1.0"
    summary = body["configurationItemSummary"]
    assert summary["changeType"] == "CREATE"
    assert summary["resourceId"] == "sg-big"
    assert summary["configurationStateId"] == item.state_id
    assert "configuration" not in summary and "relationships" not in summary
    compact = summary["configurationItemCaptureTime"][:19].replace("-", "").replace(":", "")
    folder = "/".join(str(int(p)) for p in summary["configurationItemCaptureTime"][:10].split("-"))
    expected_key = (
        f"AWSLogs/{setup.account}/Config/us-east-1/{folder}/OversizedChangeNotification/"
        f"AWS::EC2::SecurityGroup/sg-big/{setup.account}_Config_us-east-1_ChangeNotification_"
        f"AWS::EC2::SecurityGroup_sg-big_{compact}Z_0.json.gz"
    )
    assert body["s3DeliverySummary"] == {
        "s3BucketLocation": f"{setup.bucket}/{expected_key}",
        "errorCode": None,
        "errorMessage": None,
    }
    stored = gunzip_json(objects(setup.s3(), setup.bucket, expected_key)[expected_key])
    assert stored["messageType"] == "ConfigurationItemChangeNotification"
    assert stored["configurationItem"]["configuration"]["ipRanges"] == rules
    assert len(envelope["Message"]) < 262_144 < len(json.dumps(stored))


def test_an_oversized_item_whose_bucket_is_gone_is_announced_as_failed(live: LiveServer) -> None:
    setup = setup_delivery(live)
    s3 = setup.s3()
    remove_bucket(s3, setup.bucket)
    key = ResourceKey(setup.account, "us-east-1", "AWS::EC2::SecurityGroup", "sg-lost")
    rules = [{"cidrIp": f"10.{i // 256}.{i % 256}.0/24", "fromPort": 22} for i in range(8000)]
    item = record(
        live.app.runtime.database,
        Observation(key=key, configuration=json.dumps({"groupId": "sg-lost", "ipRanges": rules})),
        now_ms=live.app.runtime.clock.now_ms(),
        custom=False,
    )
    assert item is not None
    live.app.runtime.notify_all()

    [envelope] = drain(
        setup.sqs(), setup.queue_url, 1, match=about("AWS::EC2::SecurityGroup", "sg-lost")
    )
    body = json.loads(envelope["Message"])
    assert list(body) == [
        "configurationItemSummary", "s3DeliverySummary", "notificationCreationTime",
        "messageType", "recordVersion",
    ]  # fmt: skip
    assert body["messageType"] == "OversizedConfigurationItemChangeDeliveryFailed"
    assert body["recordVersion"] == "1.0"
    assert _is_iso(body["notificationCreationTime"])
    assert body["s3DeliverySummary"] == {
        "s3BucketLocation": None,
        "errorCode": "NoSuchBucket",
        "errorMessage": (
            f"Failed to deliver notification to bucket: {setup.bucket} for account "
            f"{setup.account} in region us-east-1."
        ),
    }
    summary = body["configurationItemSummary"]
    assert summary["changeType"] == "CREATE"
    assert (summary["resourceType"], summary["resourceId"]) == (
        "AWS::EC2::SecurityGroup",
        "sg-lost",
    )
    assert summary["configurationStateId"] == item.state_id
    assert summary["awsAccountId"] == setup.account
    assert "configuration" not in summary and "supplementaryConfiguration" not in summary
    assert envelope["Subject"] == (
        f"[AWS Config:us-east-1] AWS::EC2::SecurityGroup sg-lost Created in Account {setup.account}"
    )


def test_compliance_and_evaluation_started_messages_go_out_verbatim(live: LiveServer) -> None:
    setup = setup_delivery(live)
    account = setup.account
    compliance = {
        "awsAccountId": account,
        "configRuleName": "cloudtrail-enabled",
        "configRuleARN": f"arn:aws:config:us-east-1:{account}:config-rule/config-rule-9rpvxc",
        "resourceType": "AWS::::Account",
        "resourceId": account,
        "awsRegion": "us-east-1",
        "newEvaluationResult": {
            "evaluationResultIdentifier": {
                "evaluationResultQualifier": {
                    "configRuleName": "cloudtrail-enabled",
                    "resourceType": "AWS::::Account",
                    "resourceId": account,
                },
                "orderingTimestamp": "2016-09-27T19:48:40.619Z",
            },
            "complianceType": "COMPLIANT",
            "resultRecordedTime": "2016-09-27T19:48:41.405Z",
            "configRuleInvokedTime": "2016-09-27T19:48:40.914Z",
            "annotation": None,
            "resultToken": None,
        },
        "oldEvaluationResult": None,
        "notificationCreationTime": "2016-09-27T19:48:42.620Z",
        "messageType": "ComplianceChangeNotification",
        "recordVersion": "1.0",
    }
    started = {
        "awsAccountId": account,
        "awsRegion": "us-east-1",
        "configRuleNames": ["iam-password-policy"],
        "notificationCreationTime": "2016-10-13T21:55:21.339Z",
        "messageType": "ConfigRulesEvaluationStarted",
        "recordVersion": "1.0",
    }
    runtime = live.app.runtime
    with runtime.database.write() as conn:  # as the rules service publishes them
        now = runtime.clock.now_ms()
        for topic, body in (
            ("ComplianceChanged", compliance),
            ("ConfigRulesEvaluationStarted", started),
        ):
            outbox.publish(conn, account, "us-east-1", topic, {"message": body}, now_ms=now)
    runtime.notify_all()
    envelopes = drain(
        setup.sqs(), setup.queue_url, 2,
        match=of_type("ComplianceChangeNotification", "ConfigRulesEvaluationStarted"),
    )  # fmt: skip
    assert [json.loads(e["Message"]) for e in envelopes] == [compliance, started]
    assert [e["Message"] for e in envelopes] == [
        json.dumps(compliance, separators=(",", ":")),
        json.dumps(started, separators=(",", ":")),
    ]
    assert [e["Subject"] for e in envelopes] == [
        f"[AWS Config:us-east-1] AWS::::Account {account} is COMPLIANT with cloudtrail-enabled "
        "in Accoun...",
        f"[AWS Config:us-east-1] Config Rules Evaluation Started for Account {account}",
    ]
    assert len(envelopes[0]["Subject"]) == 100


def test_snapshot_started_completed_and_failed(live: LiveServer) -> None:
    setup = setup_delivery(live)
    put_thing(setup.config, "snap-1", {"v": 1})
    snapshot_id = setup.config.deliver_config_snapshot(deliveryChannelName="default")[
        "configSnapshotId"
    ]
    kinds = of_type(
        "ConfigurationSnapshotDeliveryStarted",
        "ConfigurationSnapshotDeliveryCompleted",
        "ConfigurationSnapshotDeliveryFailed",
    )
    started, completed = bodies(drain(setup.sqs(), setup.queue_url, 2, match=kinds))
    assert list(started) == [
        "configSnapshotId", "notificationCreationTime", "messageType", "recordVersion",
    ]  # fmt: skip
    assert started["configSnapshotId"] == snapshot_id
    assert started["messageType"] == "ConfigurationSnapshotDeliveryStarted"
    assert started["recordVersion"] == "1.1"
    assert list(completed) == [
        "configSnapshotId", "s3ObjectKey", "s3Bucket", "notificationCreationTime",
        "messageType", "recordVersion",
    ]  # fmt: skip
    assert completed["configSnapshotId"] == snapshot_id
    assert completed["s3Bucket"] == setup.bucket
    assert completed["s3ObjectKey"].endswith(f"_{snapshot_id}.json.gz")
    content = gunzip_json(objects(setup.s3(), setup.bucket, completed["s3ObjectKey"])[
        completed["s3ObjectKey"]
    ])  # fmt: skip
    assert content["configSnapshotId"] == snapshot_id
    assert ("snap-1", THING) in {
        (i["resourceId"], i["resourceType"]) for i in content["configurationItems"]
    }

    # The bucket goes away: the next snapshot fails, says so once, and is delivered when
    # the bucket is back.
    s3 = setup.s3()
    remove_bucket(s3, setup.bucket)
    second = setup.config.deliver_config_snapshot(deliveryChannelName="default")["configSnapshotId"]
    started, failed = bodies(drain(setup.sqs(), setup.queue_url, 2, match=kinds))
    assert (started["messageType"], started["configSnapshotId"]) == (
        "ConfigurationSnapshotDeliveryStarted", second,
    )  # fmt: skip
    assert failed["messageType"] == "ConfigurationSnapshotDeliveryFailed"
    assert failed["configSnapshotId"] == second
    assert "NoSuchBucket" in failed["failureMessage"]
    info = wait_for(
        lambda: setup.config.describe_delivery_channel_status()["DeliveryChannelsStatus"][0][
            "configSnapshotDeliveryInfo"
        ]
    )
    assert info["lastStatus"] == "FAILURE"
    assert info["lastErrorCode"] == "NoSuchBucket"
    s3.create_bucket(Bucket=setup.bucket)
    [completed] = bodies(drain(setup.sqs(), setup.queue_url, 1, match=kinds, timeout=30))
    assert completed["messageType"] == "ConfigurationSnapshotDeliveryCompleted"
    assert completed["configSnapshotId"] == second
    assert completed["s3ObjectKey"] in objects(s3, setup.bucket)
    info = setup.config.describe_delivery_channel_status()["DeliveryChannelsStatus"][0][
        "configSnapshotDeliveryInfo"
    ]
    assert info["lastStatus"] == "SUCCESS"
    assert "lastErrorCode" not in info
    assert info["lastSuccessfulTime"] >= info["lastAttemptTime"]
