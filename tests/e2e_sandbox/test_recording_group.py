"""Recording-group semantics end to end (spec 5.2): what the recorder records of the
sandbox, per strategy, boto3 over HTTP.

A resource of a regional type outside the group is still discovered: it is listed and
counted, with a single ResourceNotRecorded item (no configuration, no relationships) and
ResourceDeletedNotRecorded once deleted, and nothing for its changes. The global IAM
types outside the group are not looked at at all: no items.

Each test is a fresh account on the shared SQLite server. "Never recorded" is shown
without sleeping: the recorder handles the sandbox's CloudTrail events in the order the
calls were made, so once the item of a call made *after* the unrecorded ones exists (a
"sentinel" queue), any item the earlier calls could have produced would exist too.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from functools import partial
from typing import Any

import boto3
from botocore.config import Config as BotoConfig

from tests.conftest import REGION, LiveServer, config_client, new_account, start_recording

CHANGE_TIMEOUT = 10.0  # a change reaches its item well under a second
FIRST_SWEEP_TIMEOUT = 120.0  # the session's first sweep also warms every moto backend
POLL = 0.05

BUCKET = "AWS::S3::Bucket"
QUEUE = "AWS::SQS::Queue"
TOPIC = "AWS::SNS::Topic"
VPC = "AWS::EC2::VPC"
ROLE = "AWS::IAM::Role"
USER = "AWS::IAM::User"
GROUP = "AWS::IAM::Group"
POLICY = "AWS::IAM::Policy"
IAM_TYPES = (ROLE, USER, GROUP, POLICY)

TRUST = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Service": "ec2.amazonaws.com"},
                "Action": "sts:AssumeRole",
            }
        ],
    }
)
READ_LOGS = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "logs:Get*", "Resource": "*"}],
    }
)


def wait_for(probe: Callable[[], Any], what: str, timeout: float = CHANGE_TIMEOUT) -> Any:
    """Poll ``probe`` until it returns something truthy; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = probe()
        if value:
            return value
        if time.monotonic() >= deadline:
            raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what}")
        time.sleep(POLL)


class Account:
    """A fresh sandbox account whose recorder records ``group`` (None: the default group
    start_recording leaves, all supported without the global IAM types)."""

    def __init__(self, server: LiveServer, group: dict[str, Any] | None) -> None:
        self.server = server
        self.id = new_account()
        self.config = config_client(server, self.id)
        self._clients: dict[str, Any] = {}
        self._sentinel: dict[str, Any] = {}
        if group is None:
            start_recording(self.config)
        else:
            self.config.put_configuration_recorder(
                ConfigurationRecorder={
                    "name": "default",
                    "roleARN": f"arn:aws:iam::{self.id}:role/config-role",
                    "recordingGroup": group,
                }
            )
            self.config.put_delivery_channel(
                DeliveryChannel={"name": "default", "s3BucketName": "config-bucket"}
            )
            self.config.start_configuration_recorder(ConfigurationRecorderName="default")
        wait_for(
            lambda: self.status().get("lastStatus") == "SUCCESS",
            "the recorder's first sweep",
            FIRST_SWEEP_TIMEOUT,
        )

    def status(self) -> dict[str, Any]:
        answer = self.config.describe_configuration_recorder_status()
        [status] = answer["ConfigurationRecordersStatus"]
        return status  # type: ignore[no-any-return]

    def recorder(self) -> dict[str, Any]:
        [recorder] = self.config.describe_configuration_recorders()["ConfigurationRecorders"]
        return recorder  # type: ignore[no-any-return]

    def client(self, service: str) -> Any:
        if service not in self._clients:
            self._clients[service] = boto3.client(
                service,
                endpoint_url=self.server.url,
                region_name=REGION,
                aws_access_key_id=self.id,
                aws_secret_access_key="test",
                config=BotoConfig(retries={"max_attempts": 1, "mode": "standard"}),
            )
        return self._clients[service]

    def listed(self, resource_type: str) -> dict[str, dict[str, Any]]:
        """list_discovered_resources of the type (deleted ones too), by resource name."""
        answer = self.config.list_discovered_resources(
            resourceType=resource_type, includeDeletedResources=True
        )
        return {r.get("resourceName", r["resourceId"]): r for r in answer["resourceIdentifiers"]}

    def history(self, resource_type: str, resource_id: str) -> list[dict[str, Any]]:
        """Every item of the resource, newest first; [] if it was never discovered."""
        try:
            answer = self.config.get_resource_config_history(
                resourceType=resource_type, resourceId=resource_id, limit=100
            )
        except self.config.exceptions.ResourceNotDiscoveredException:
            return []
        return answer["configurationItems"]  # type: ignore[no-any-return]

    def wait_listed(self, resource_type: str, name: str) -> dict[str, Any]:
        found: dict[str, Any] = wait_for(
            lambda: self.listed(resource_type).get(name), f"{resource_type} {name} to be listed"
        )
        return found

    def wait_items(self, resource_type: str, resource_id: str, count: int) -> list[dict[str, Any]]:
        """The resource's items, newest first, once there are ``count`` of them."""
        items: list[dict[str, Any]] = wait_for(
            lambda: (
                (found := self.history(resource_type, resource_id))
                and len(found) >= count
                and found
            ),
            f"{count} items of {resource_type} {resource_id}",
        )
        assert len(items) == count, [i["configurationItemStatus"] for i in items]
        return items

    def event_names(self, item: dict[str, Any]) -> list[str]:
        """The EventName LookupEvents gives for each of the item's relatedEvents."""
        names = []
        for event_id in item["relatedEvents"]:
            [event] = self.client("cloudtrail").lookup_events(
                LookupAttributes=[{"AttributeKey": "EventId", "AttributeValue": event_id}]
            )["Events"]
            names.append(event["EventName"])
        return names

    def sentinel_queue(self, name: str) -> str:
        """Create a queue and wait until it is recorded under its CreateQueue event: every
        call made before this one has been handled by the recorder by then (see
        ``settle``). Returns its resourceId."""
        sqs = self.client("sqs")
        url = sqs.create_queue(QueueName=name)["QueueUrl"]
        resource_id: str = self.wait_listed(QUEUE, name)["resourceId"]
        self._sentinel = {"url": url, "id": resource_id, "changes": 0}
        [created] = self.history(QUEUE, resource_id)
        if self.event_names(created) != ["CreateQueue"]:
            self.settle()
        return resource_id

    def settle(self) -> None:
        """Wait until the recorder has handled every call made so far.

        It changes the sentinel queue until an item names that change's own CloudTrail
        event: events are handled in call order, so by then every earlier one has been.
        (A change can also be picked up, with no event named, by a sweep already under
        way: an inventory after Associate/Disassociate, or another event's sweep; then the
        next change tells.) Needed before asserting which event an item names, so that the
        change does not overlap a pending sweep."""
        sentinel = self._sentinel
        sqs = self.client("sqs")
        for _ in range(5):
            sentinel["changes"] += 1
            timeout = 30 + sentinel["changes"]
            sqs.set_queue_attributes(
                QueueUrl=sentinel["url"], Attributes={"VisibilityTimeout": str(timeout)}
            )
            newest = wait_for(
                partial(self._newest_with_timeout, sentinel["id"], timeout),
                f"the sentinel queue's VisibilityTimeout {timeout} to be recorded",
            )
            if self.event_names(newest) == ["SetQueueAttributes"]:
                return
        raise AssertionError("no sentinel change was recorded under its own event")

    def _newest_with_timeout(self, queue_id: str, timeout: int) -> dict[str, Any] | None:
        items = self.history(QUEUE, queue_id)
        if items and json.loads(items[0]["configuration"])["VisibilityTimeout"] == timeout:
            return items[0]
        return None

    def create_iam_entities(self) -> None:
        iam = self.client("iam")
        iam.create_role(RoleName="app-role", AssumeRolePolicyDocument=TRUST)
        iam.create_user(UserName="alice")
        iam.create_group(GroupName="devs")
        iam.create_policy(PolicyName="read-logs", PolicyDocument=READ_LOGS)

    def counts(self) -> dict[str, int]:
        """get_discovered_resource_counts, every page, by type."""
        counts: dict[str, int] = {}
        kwargs: dict[str, Any] = {}
        while True:
            answer = self.config.get_discovered_resource_counts(**kwargs)
            counts.update({c["resourceType"]: c["count"] for c in answer["resourceCounts"]})
            if not answer.get("nextToken"):
                return counts
            kwargs = {"nextToken": answer["nextToken"]}


def supplementary(item: dict[str, Any]) -> dict[str, Any]:
    return {k: json.loads(v) for k, v in item.get("supplementaryConfiguration", {}).items()}


def statuses(items: list[dict[str, Any]]) -> list[str]:
    return [i["configurationItemStatus"] for i in items]


def assert_not_recorded(item: dict[str, Any], status: str = "ResourceNotRecorded") -> None:
    """A not-recorded item: the status, and nothing of the resource's state."""
    assert item["configurationItemStatus"] == status, item
    assert item.get("configuration") in (None, "", "null"), item
    assert item["relationships"] == [], item
    assert not item.get("supplementaryConfiguration"), item
    assert not item.get("tags"), item


# -- INCLUSION_BY_RESOURCE_TYPES -----------------------------------------------------------


def test_inclusion_records_only_the_listed_types(server: LiveServer) -> None:
    account = Account(server, {"allSupported": False, "resourceTypes": [QUEUE]})
    assert account.recorder()["recordingGroup"]["recordingStrategy"] == {
        "useOnly": "INCLUSION_BY_RESOURCE_TYPES"
    }
    # The first sweep discovered what the account already had, the default VPC moto
    # gives every account, but did not record it.
    [vpc] = account.listed(VPC).values()
    [vpc_item] = account.history(VPC, vpc["resourceId"])
    assert_not_recorded(vpc_item)

    s3 = account.client("s3")
    s3.create_bucket(Bucket="unrecorded-bucket")
    s3.put_bucket_versioning(
        Bucket="unrecorded-bucket", VersioningConfiguration={"Status": "Enabled"}
    )
    topic_arn = account.client("sns").create_topic(Name="unrecorded-topic")["TopicArn"]
    queue_id = account.sentinel_queue("recorded-queue")

    [queue] = account.wait_items(QUEUE, queue_id, 1)
    assert queue["configurationItemStatus"] == "ResourceDiscovered"
    assert account.event_names(queue) == ["CreateQueue"]
    assert json.loads(queue["configuration"])["QueueUrl"].endswith("recorded-queue")
    # The other types' resources are discovered, each with one ResourceNotRecorded item:
    # the bucket's versioning change (before the sentinel) gave it no second item.
    assert "resourceDeletionTime" not in account.listed(BUCKET)["unrecorded-bucket"]
    [bucket] = account.history(BUCKET, "unrecorded-bucket")
    assert_not_recorded(bucket)
    assert (bucket["resourceName"], bucket["awsRegion"]) == ("unrecorded-bucket", REGION)
    assert account.listed(TOPIC).keys() == {"unrecorded-topic"}
    [topic] = account.history(TOPIC, topic_arn)
    assert_not_recorded(topic)
    # Counts include the resources discovered but not recorded.
    counts = account.counts()
    assert (counts[QUEUE], counts[BUCKET], counts[TOPIC], counts[VPC]) == (1, 1, 1, 1)
    assert not counts.keys() & set(IAM_TYPES)
    assert account.status()["lastStatus"] == "SUCCESS"


def test_inclusion_may_name_a_global_iam_type_explicitly(server: LiveServer) -> None:
    account = Account(server, {"allSupported": False, "resourceTypes": [ROLE, QUEUE]})
    account.create_iam_entities()
    account.sentinel_queue("sentinel")

    role = account.wait_listed(ROLE, "app-role")
    [item] = account.history(ROLE, role["resourceId"])
    assert item["awsRegion"] == "global"
    assert item["configurationItemStatus"] == "ResourceDiscovered"
    assert account.event_names(item) == ["CreateRole"]
    # The other IAM types were not named: global types outside the group are not looked
    # at, so not even a ResourceNotRecorded item.
    for resource_type in (USER, GROUP, POLICY):
        assert account.listed(resource_type) == {}, resource_type
    user_id = account.client("iam").get_user(UserName="alice")["User"]["UserId"]
    assert account.history(USER, user_id) == []
    assert not account.counts().keys() & {USER, GROUP, POLICY}


# -- EXCLUSION_BY_RESOURCE_TYPES -------------------------------------------------------------


def test_exclusion_records_everything_but_the_excluded_types(server: LiveServer) -> None:
    account = Account(
        server,
        {
            "allSupported": False,
            "exclusionByResourceTypes": {"resourceTypes": [BUCKET, ROLE]},
            "recordingStrategy": {"useOnly": "EXCLUSION_BY_RESOURCE_TYPES"},
        },
    )
    # The first sweep recorded what the account already had: moto's default VPC.
    [vpc] = account.listed(VPC).values()
    [vpc_item] = account.history(VPC, vpc["resourceId"])
    assert vpc_item["configurationItemStatus"] == "ResourceDiscovered"
    assert json.loads(vpc_item["configuration"])["vpcId"] == vpc["resourceId"]

    s3 = account.client("s3")
    s3.create_bucket(Bucket="excluded-bucket")
    s3.put_bucket_tagging(
        Bucket="excluded-bucket", Tagging={"TagSet": [{"Key": "team", "Value": "ledger"}]}
    )
    topic_arn = account.client("sns").create_topic(Name="kept-topic")["TopicArn"]
    account.create_iam_entities()
    account.sentinel_queue("kept-queue")

    # The excluded regional type: discovered, one ResourceNotRecorded item, its tagging
    # (before the sentinel) not recorded.
    assert "excluded-bucket" in account.listed(BUCKET)
    [bucket] = account.history(BUCKET, "excluded-bucket")
    assert_not_recorded(bucket)
    # The excluded global type: not looked at.
    assert account.listed(ROLE) == {}
    role_id = account.client("iam").get_role(RoleName="app-role")["Role"]["RoleId"]
    assert account.history(ROLE, role_id) == []
    [topic] = account.wait_items(TOPIC, topic_arn, 1)
    assert topic["configurationItemStatus"] == "ResourceDiscovered"
    assert account.event_names(topic) == ["CreateTopic"]
    # includeGlobalResourceTypes has no say under EXCLUSION: the IAM types not excluded
    # are recorded, once, in region "global".
    for resource_type, name in ((USER, "alice"), (GROUP, "devs"), (POLICY, "read-logs")):
        listed = account.wait_listed(resource_type, name)
        [item] = account.history(resource_type, listed["resourceId"])
        assert item["awsRegion"] == "global", resource_type
        assert item["configurationItemStatus"] == "ResourceDiscovered", resource_type
    counts = account.counts()
    assert (counts[BUCKET], counts[TOPIC], counts[USER]) == (1, 1, 1)
    assert ROLE not in counts

    # Deleted, the excluded bucket gets its ResourceDeletedNotRecorded item.
    s3.delete_bucket_tagging(Bucket="excluded-bucket")
    s3.delete_bucket(Bucket="excluded-bucket")
    deleted, created = account.wait_items(BUCKET, "excluded-bucket", 2)
    assert_not_recorded(deleted, "ResourceDeletedNotRecorded")
    assert created == bucket
    assert "resourceDeletionTime" in account.listed(BUCKET)["excluded-bucket"]
    assert BUCKET not in account.counts()


# -- ALL_SUPPORTED_RESOURCE_TYPES --------------------------------------------------------


def test_all_supported_without_global_types_does_not_record_iam(server: LiveServer) -> None:
    account = Account(server, None)  # start_recording's recorder: the default group
    group = account.recorder()["recordingGroup"]
    assert (group["allSupported"], group["includeGlobalResourceTypes"]) == (True, False)

    account.create_iam_entities()
    iam = account.client("iam")
    iam.tag_role(RoleName="app-role", Tags=[{"Key": "team", "Value": "ledger"}])
    iam.attach_role_policy(
        RoleName="app-role", PolicyArn=f"arn:aws:iam::{account.id}:policy/read-logs"
    )
    account.client("s3").create_bucket(Bucket="recorded-bucket")
    account.sentinel_queue("sentinel")

    # Regional types are recorded.
    assert "recorded-bucket" in account.listed(BUCKET)
    [bucket] = account.history(BUCKET, "recorded-bucket")
    assert bucket["configurationItemStatus"] == "ResourceDiscovered"
    assert bucket.get("configuration") not in (None, "", "null")
    # The global IAM types are not looked at: not even ResourceNotRecorded items.
    for resource_type in IAM_TYPES:
        assert account.listed(resource_type) == {}, resource_type
    role_id = iam.get_role(RoleName="app-role")["Role"]["RoleId"]
    assert account.history(ROLE, role_id) == []
    user_id = iam.get_user(UserName="alice")["User"]["UserId"]
    assert account.history(USER, user_id) == []
    assert not account.counts().keys() & set(IAM_TYPES)


def test_all_supported_with_global_types_records_iam_once_as_global(server: LiveServer) -> None:
    account = Account(server, {"allSupported": True, "includeGlobalResourceTypes": True})
    account.create_iam_entities()
    account.sentinel_queue("sentinel")

    for resource_type, name in ((ROLE, "app-role"), (USER, "alice"), (GROUP, "devs")):
        listed = account.wait_listed(resource_type, name)
        [item] = account.history(resource_type, listed["resourceId"])
        assert item["awsRegion"] == "global", resource_type
        assert item["configurationItemStatus"] == "ResourceDiscovered"
    policy = account.wait_listed(POLICY, "read-logs")
    [item] = account.history(POLICY, policy["resourceId"])
    assert item["awsRegion"] == "global"


# -- AssociateResourceTypes / DisassociateResourceTypes ----------------------------------


def test_associate_picks_the_type_up_and_disassociate_drops_it(server: LiveServer) -> None:
    account = Account(server, {"allSupported": False, "resourceTypes": [QUEUE]})
    s3 = account.client("s3")
    s3.create_bucket(Bucket="late-bucket")
    account.sentinel_queue("sentinel")
    [not_recorded] = account.history(BUCKET, "late-bucket")
    assert_not_recorded(not_recorded)

    answer = account.config.associate_resource_types(
        ConfigurationRecorderArn=account.recorder()["arn"], ResourceTypes=[BUCKET]
    )
    assert answer["ConfigurationRecorder"]["recordingGroup"]["resourceTypes"] == [QUEUE, BUCKET]

    # The sweep associating starts records the bucket, first seen as not recorded, as
    # discovered: with its configuration this time.
    discovered, first = account.wait_items(BUCKET, "late-bucket", 2)
    assert first == not_recorded
    assert discovered["configurationItemStatus"] == "ResourceDiscovered"
    assert json.loads(discovered["configuration"])["name"] == "late-bucket"
    assert "BucketVersioningConfiguration" in supplementary(discovered)

    # From now on each change is recorded as it happens, naming its event.
    account.settle()
    assert len(account.history(BUCKET, "late-bucket")) == 2
    s3.put_bucket_versioning(Bucket="late-bucket", VersioningConfiguration={"Status": "Enabled"})
    [versioned, *_] = account.wait_items(BUCKET, "late-bucket", 3)
    assert versioned["configurationItemStatus"] == "OK"
    assert supplementary(versioned)["BucketVersioningConfiguration"]["status"] == "Enabled"
    assert account.event_names(versioned) == ["PutBucketVersioning"]
    s3.put_bucket_tagging(
        Bucket="late-bucket", Tagging={"TagSet": [{"Key": "team", "Value": "ledger"}]}
    )
    [tagged, *_] = account.wait_items(BUCKET, "late-bucket", 4)
    assert tagged["configurationItemStatus"] == "OK"
    assert tagged["tags"] == {"team": "ledger"}
    assert account.event_names(tagged) == ["PutBucketTagging"]

    # Disassociated, the type's changes are no longer recorded; its history stays.
    answer = account.config.disassociate_resource_types(
        ConfigurationRecorderArn=account.recorder()["arn"], ResourceTypes=[BUCKET]
    )
    assert answer["ConfigurationRecorder"]["recordingGroup"]["resourceTypes"] == [QUEUE]
    s3.delete_bucket_tagging(Bucket="late-bucket")
    s3.put_bucket_versioning(Bucket="late-bucket", VersioningConfiguration={"Status": "Suspended"})
    account.settle()
    items = account.history(BUCKET, "late-bucket")
    assert statuses(items) == ["OK", "OK", "ResourceDiscovered", "ResourceNotRecorded"]
    assert items[0] == tagged
    # Its deletion, a type no longer recorded, is ResourceDeletedNotRecorded (spec 5.2).
    s3.delete_bucket(Bucket="late-bucket")
    [deleted, *rest] = account.wait_items(BUCKET, "late-bucket", 5)
    assert_not_recorded(deleted, "ResourceDeletedNotRecorded")
    assert rest == items


# -- a type outside the group, over a resource's life ------------------------------------


def test_an_unrecorded_type_gets_resource_not_recorded_items(server: LiveServer) -> None:
    account = Account(server, {"allSupported": False, "resourceTypes": [QUEUE]})
    s3 = account.client("s3")
    s3.create_bucket(Bucket="not-recorded-bucket")
    account.sentinel_queue("sentinel")

    # Created: discovered, listed and counted, with one item that records nothing.
    listed = account.listed(BUCKET)["not-recorded-bucket"]
    assert "resourceDeletionTime" not in listed
    [item] = account.history(BUCKET, "not-recorded-bucket")
    assert_not_recorded(item)
    assert (item["resourceType"], item["resourceId"]) == (BUCKET, "not-recorded-bucket")
    assert account.counts()[BUCKET] == 1

    # Changed: no new item.
    s3.put_bucket_versioning(
        Bucket="not-recorded-bucket", VersioningConfiguration={"Status": "Enabled"}
    )
    s3.put_bucket_tagging(
        Bucket="not-recorded-bucket", Tagging={"TagSet": [{"Key": "team", "Value": "ledger"}]}
    )
    account.settle()
    assert account.history(BUCKET, "not-recorded-bucket") == [item]

    # Deleted: ResourceDeletedNotRecorded, listed as deleted, no longer counted.
    s3.delete_bucket_tagging(Bucket="not-recorded-bucket")
    s3.delete_bucket(Bucket="not-recorded-bucket")
    deleted, first = account.wait_items(BUCKET, "not-recorded-bucket", 2)
    assert first == item
    assert_not_recorded(deleted, "ResourceDeletedNotRecorded")
    assert "resourceDeletionTime" in account.listed(BUCKET)["not-recorded-bucket"]
    current = account.config.list_discovered_resources(resourceType=BUCKET)
    assert current["resourceIdentifiers"] == []
    assert BUCKET not in account.counts()
