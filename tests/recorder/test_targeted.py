"""Targeted re-description: a CloudTrail event's resources are described by key, and that
answer, complete for those keys, is reconciled as a listing scoped to them.

The engine runs against the live server's sandbox (EC2 through boto3) with its recorder
put but not started, so the background worker leaves the partition alone and every item
is the answer to the sweep the test asks for (``force``). The safety rules use resource
types written for the test, whose describe fails on demand.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

import pytest
from botocore.exceptions import ClientError

from configledger.recorder.engine import RecordingEngine
from configledger.recorder.resource_types import REGISTRY
from configledger.recorder.types import (
    Described,
    Raw,
    ResourceType,
    Scope,
    Targeted,
    values_at,
)
from configledger.recorder.worker import plan
from configledger.store import outbox
from configledger.store.cloudtrail import OUTBOX_TOPIC as CLOUDTRAIL_EVENT
from tests.conftest import REGION, ROLE_ARN, LiveServer, config_client, new_account
from tests.e2e_sandbox.helpers import sandbox
from tests.e2e_sandbox.test_app_types import LAMBDA_TRUST, lambda_zip

SG = "AWS::EC2::SecurityGroup"
VPC = "AWS::EC2::VPC"


def _put_recorder(config: Any) -> None:
    """A recorder that exists but does not record: only forced sweeps write."""
    config.put_configuration_recorder(
        ConfigurationRecorder={"name": "default", "roleARN": ROLE_ARN}
    )


def _engine(server: LiveServer, registry: dict[str, ResourceType] | None = None) -> RecordingEngine:
    runtime = server.app.runtime
    assert runtime.recorder is not None
    return RecordingEngine(
        runtime.database, runtime.recorder.engine.sessions, runtime.clock, registry
    )


def _history(config: Any, resource_type: str, resource_id: str) -> list[dict[str, Any]]:
    answer = config.get_resource_config_history(resourceType=resource_type, resourceId=resource_id)
    return answer["configurationItems"]  # type: ignore[no-any-return]


def _statuses(config: Any, resource_type: str, resource_id: str) -> list[str]:
    return [i["configurationItemStatus"] for i in _history(config, resource_type, resource_id)]


def test_a_targeted_change_redescribes_only_the_named_group(server: LiveServer) -> None:
    account = new_account()
    config, aws = sandbox(server, account)
    _put_recorder(config)
    ec2 = aws("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.30.0.0/16")["Vpc"]["VpcId"]
    groups = [
        ec2.create_security_group(GroupName=f"g{n}", Description="d", VpcId=vpc)["GroupId"]
        for n in range(3)
    ]
    engine = _engine(server)
    engine.sweep(account, REGION, force=True)
    first = {g: _statuses(config, SG, g) for g in groups}
    assert all(s == ["ResourceDiscovered"] for s in first.values())

    # Both change; the event names only the first: only it is described and recorded.
    for group in groups[:2]:
        ec2.authorize_security_group_ingress(
            GroupId=group, IpProtocol="tcp", FromPort=22, ToPort=22, CidrIp="10.0.0.0/8"
        )
    [report] = engine.sweep(
        account,
        REGION,
        types=[SG],
        targets={SG: [groups[0]]},
        related_events=("event-1",),
        force=True,
    )
    assert report.targeted == (groups[0],)
    assert report.listed == 1
    assert (report.outcome.changed, report.outcome.deleted, report.error) == (1, 0, None)
    newest = _history(config, SG, groups[0])[0]
    assert newest["configurationItemStatus"] == "OK"
    assert newest["relatedEvents"] == ["event-1"]
    assert _statuses(config, SG, groups[1]) == ["ResourceDiscovered"]  # not looked at
    assert _statuses(config, SG, groups[2]) == ["ResourceDiscovered"]

    # A full sweep then finds only the change the event did not name: the targeted
    # describe recorded exactly what a listing records.
    [full] = engine.sweep(account, REGION, types=[SG], force=True)
    assert full.targeted is None
    assert (full.outcome.changed, full.outcome.discovered) == (1, 0)
    assert _statuses(config, SG, groups[0]) == ["OK", "ResourceDiscovered"]
    assert _statuses(config, SG, groups[1]) == ["OK", "ResourceDiscovered"]


def test_a_group_the_service_no_longer_knows_is_deleted_on_both_sides(server: LiveServer) -> None:
    account = new_account()
    config, aws = sandbox(server, account)
    _put_recorder(config)
    ec2 = aws("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.31.0.0/16")["Vpc"]["VpcId"]
    kept, gone = (
        ec2.create_security_group(GroupName=name, Description="d", VpcId=vpc)["GroupId"]
        for name in ("kept", "gone")
    )
    engine = _engine(server)
    engine.sweep(account, REGION, force=True)
    vpc_edges = {r["resourceId"] for r in _history(config, VPC, vpc)[0]["relationships"]}
    assert {kept, gone} <= vpc_edges

    ec2.delete_security_group(GroupId=gone)
    # One unknown id fails EC2's whole call (InvalidGroup.NotFound): the engine asks for
    # each id alone, so the group that still exists is not taken for gone.
    [report] = engine.sweep(
        account,
        REGION,
        types=[SG],
        targets={SG: [kept, gone]},
        related_events=("event-2",),
        force=True,
    )
    assert (report.outcome.deleted, report.outcome.changed, report.listed) == (1, 0, 1)
    deleted = _history(config, SG, gone)[0]
    assert deleted["configurationItemStatus"] == "ResourceDeleted"
    assert deleted["relatedEvents"] == ["event-2"]
    assert _statuses(config, SG, kept) == ["ResourceDiscovered"]
    # The VPC's side of the edge goes with it, naming the same event.
    vpc_item = _history(config, VPC, vpc)[0]
    assert vpc_item["relatedEvents"] == ["event-2"]
    remaining = {r["resourceId"] for r in vpc_item["relationships"]}
    assert kept in remaining and gone not in remaining


class Service:
    """A resource type's service written for the test: what it holds, whether its
    describe call fails (with which code), whether its listing fails."""

    def __init__(self, items: dict[str, int]) -> None:
        self.items = items
        self.describe_error: str | None = None
        self.list_fails = False
        self.described: list[list[str]] = []
        self.listings = 0

    def fetch(self, client: Any, scope: Scope) -> Iterable[Raw]:
        self.listings += 1
        if self.list_fails:
            raise RuntimeError("Throttling: Rate exceeded")
        return [{"id": k, "size": v} for k, v in sorted(self.items.items())]

    def describe(self, client: Any, scope: Scope, keys: list[str]) -> Iterable[Raw]:
        self.described.append(list(keys))
        if self.describe_error is not None:
            error = {"Error": {"Code": self.describe_error, "Message": "no"}}
            raise ClientError(error, "DescribeThings")  # type: ignore[arg-type]
        missing = [k for k in keys if k not in self.items]
        if missing:  # EC2's way: one unknown key fails the call
            error = {"Error": {"Code": "Thing.NotFound", "Message": f"{missing} not found"}}
            raise ClientError(error, "DescribeThings")  # type: ignore[arg-type]
        return [{"id": k, "size": self.items[k]} for k in keys]


def _transform(raw: Raw, scope: Scope) -> Described:
    return Described(resource_id=raw["id"], configuration={"size": raw["size"]})


def _fake(service: Service) -> ResourceType:
    targeted = Targeted(
        paths=("requestParameters.thingId",),
        describe=service.describe,
        not_found=frozenset({"Thing.NotFound"}),
        batch=10,
    )
    return ResourceType(
        "AWS::SQS::Queue", "sqs", service.fetch, _transform, frozenset(), targeted=targeted
    )


@pytest.fixture
def things(backend: LiveServer) -> tuple[Any, str, Service, RecordingEngine]:
    account = new_account()
    config = config_client(backend, account)
    _put_recorder(config)
    service = Service({"a": 1, "b": 2, "c": 3})
    fake = _fake(service)
    engine = _engine(backend, {fake.type_name: fake})
    engine.sweep(account, REGION, force=True)
    return config, account, service, engine


def _targeted(engine: RecordingEngine, account: str, *keys: str) -> Any:
    [report] = engine.sweep(
        account,
        REGION,
        targets={"AWS::SQS::Queue": list(keys)},
        related_events=("event-3",),
        force=True,
    )
    return report


def test_a_throttled_targeted_describe_deletes_nothing(
    things: tuple[Any, str, Service, RecordingEngine],
) -> None:
    config, account, service, engine = things
    del service.items["c"]  # gone, but nobody can tell
    service.describe_error = "Throttling"
    service.list_fails = True
    report = _targeted(engine, account, "c")
    # The describe failed, so the type was listed instead, and that failed too.
    assert report.targeted is None
    assert service.listings == 2
    assert report.error == "RuntimeError: Throttling: Rate exceeded"
    assert report.outcome.deleted == 0
    assert _statuses(config, "AWS::SQS::Queue", "c") == ["ResourceDiscovered"]

    # Once the service answers, the same event's describe records the deletion.
    service.describe_error = None
    service.list_fails = False
    report = _targeted(engine, account, "c")
    assert report.targeted == ("c",)
    assert report.outcome.deleted == 1
    assert _statuses(config, "AWS::SQS::Queue", "c") == ["ResourceDeleted", "ResourceDiscovered"]
    assert service.listings == 2  # answered by the describe alone


def test_a_failed_describe_falls_back_to_a_complete_listing(
    things: tuple[Any, str, Service, RecordingEngine],
) -> None:
    config, account, service, engine = things
    service.items["a"] = 10
    service.describe_error = "AccessDenied"
    report = _targeted(engine, account, "a")
    assert report.targeted is None  # listed
    assert (report.outcome.changed, report.outcome.deleted) == (1, 0)
    assert _statuses(config, "AWS::SQS::Queue", "b") == ["ResourceDiscovered"]


def test_unknown_keys_are_asked_for_one_by_one(
    things: tuple[Any, str, Service, RecordingEngine],
) -> None:
    config, account, service, engine = things
    del service.items["b"]
    service.items["a"] = 5
    report = _targeted(engine, account, "a", "b", "never-seen")
    assert service.described[-4:] == [["a", "b", "never-seen"], ["a"], ["b"], ["never-seen"]]
    assert (report.outcome.changed, report.outcome.deleted, report.listed) == (1, 1, 1)
    assert _statuses(config, "AWS::SQS::Queue", "a") == ["OK", "ResourceDiscovered"]
    assert _statuses(config, "AWS::SQS::Queue", "b") == ["ResourceDeleted", "ResourceDiscovered"]
    assert _statuses(config, "AWS::SQS::Queue", "c") == ["ResourceDiscovered"]


def _event(seq: int, name: str, source: str, **sections: Any) -> outbox.OutboxEvent:
    payload = {"eventId": f"e{seq}", "eventName": name, "eventSource": source, **sections}
    return outbox.OutboxEvent(seq, "111122223333", REGION, CLOUDTRAIL_EVENT, None, payload, 0)


def test_the_worker_targets_what_an_event_names_and_lists_what_it_does_not() -> None:
    ingress = _event(
        1,
        "AuthorizeSecurityGroupIngress",
        "ec2.amazonaws.com",
        requestParameters={"groupId": "sg-1", "ipPermissions": {"items": []}},
    )
    run = _event(
        2,
        "RunInstances",
        "ec2.amazonaws.com",
        responseElements={"instancesSet": {"items": [{"instanceId": "i-1", "subnetId": "s"}]}},
    )
    tags = _event(  # the sandbox's form of a query list: no "items" wrapper
        3, "CreateTags", "ec2.amazonaws.com", requestParameters={"resourceId": ["vpc-9"]}
    )
    bucket = _event(
        4, "PutBucketPublicAccessBlock", "s3.amazonaws.com",
        requestParameters={"bucketName": "logs"},
    )  # fmt: skip
    records = {e.seq: e.payload for e in (ingress, run, tags, bucket)}
    jobs = plan([ingress, run, tags, bucket], records)

    first, second, third, fourth = jobs
    assert dict(first.targets) == {SG: ("sg-1",)}
    assert first.types == {SG}
    assert first.events == ("e1",)
    assert dict(second.targets)["AWS::EC2::Instance"] == ("i-1",)
    assert "AWS::EC2::Volume" in second.types  # RunInstances names no volume: listed
    assert "AWS::EC2::Volume" not in dict(second.targets)
    # CreateTags on a VPC: the VPC alone, no other EC2 type (it names none of theirs).
    assert third.types == {VPC}
    assert dict(third.targets) == {VPC: ("vpc-9",)}
    assert dict(fourth.targets) == {"AWS::S3::Bucket": ("logs",)}


USER = "AWS::IAM::User"


def test_iam_users_are_described_by_name_and_identified_by_id(server: LiveServer) -> None:
    account = new_account()
    config, aws = sandbox(server, account)
    config.put_configuration_recorder(
        ConfigurationRecorder={
            "name": "default",
            "roleARN": ROLE_ARN,
            "recordingGroup": {"allSupported": True, "includeGlobalResourceTypes": True},
        }
    )
    iam = aws("iam")
    alice = iam.create_user(UserName="alice")["User"]["UserId"]
    bob = iam.create_user(UserName="bob")["User"]["UserId"]
    engine = _engine(server)
    engine.sweep(account, REGION, types=[USER], force=True)

    # A rename names the old and the new name: the old one is not found, yet its id is
    # the renamed user's, so nothing is deleted.
    iam.update_user(UserName="alice", NewUserName="alicia")
    [report] = engine.sweep(
        account, REGION, types=[USER], targets={USER: ["alice", "alicia"]}, force=True
    )
    assert report.targeted == ("alice", "alicia")
    assert (report.outcome.changed, report.outcome.deleted, report.listed) == (1, 0, 1)
    assert _history(config, USER, alice)[0]["resourceName"] == "alicia"

    iam.delete_user(UserName="bob")
    [report] = engine.sweep(account, REGION, types=[USER], targets={USER: ["bob"]}, force=True)
    assert (report.outcome.deleted, report.listed) == (1, 0)
    assert _statuses(config, USER, bob) == ["ResourceDeleted", "ResourceDiscovered"]

    # A name deleted and taken again: the user described by it is another user, and the
    # one recorded under the name is gone.
    iam.delete_user(UserName="alicia")
    again = iam.create_user(UserName="alicia")["User"]["UserId"]
    assert again != alice
    [report] = engine.sweep(account, REGION, types=[USER], targets={USER: ["alicia"]}, force=True)
    assert (report.outcome.deleted, report.outcome.discovered) == (1, 1)
    assert _statuses(config, USER, alice) == ["ResourceDeleted", "OK", "ResourceDiscovered"]
    assert _statuses(config, USER, again) == ["ResourceDiscovered"]

    # What the targeted describes recorded is what a full listing records.
    [full] = engine.sweep(account, REGION, types=[USER], force=True)
    assert (full.outcome.changed, full.outcome.discovered, full.outcome.deleted) == (0, 0, 0)


def test_app_types_record_by_key_what_a_listing_records(server: LiveServer) -> None:
    """S3, SNS, SQS and Lambda, each described through the keys its events name (an ARN
    for a function, the URL the caller used for a queue): the change is recorded, a full
    listing afterwards finds nothing more, and a deletion is recorded from the key."""
    account = new_account()
    config, aws = sandbox(server, account)
    _put_recorder(config)
    bucket = f"targeted-{account}"
    aws("s3").create_bucket(Bucket=bucket)
    topic = aws("sns").create_topic(Name="targeted")["TopicArn"]
    queue_url = aws("sqs").create_queue(QueueName="targeted")["QueueUrl"]
    role = aws("iam").create_role(
        RoleName="targeted-fn", AssumeRolePolicyDocument=json.dumps(LAMBDA_TRUST)
    )["Role"]["Arn"]
    function = aws("lambda").create_function(
        FunctionName="targeted-fn",
        Runtime="python3.12",
        Role=role,
        Handler="handler.handler",
        Code={"ZipFile": lambda_zip()},
    )["FunctionArn"]
    engine = _engine(server)
    engine.sweep(account, REGION, force=True)

    records = {
        "AWS::S3::Bucket": {"requestParameters": {"bucketName": bucket}},
        "AWS::SNS::Topic": {"requestParameters": {"topicArn": topic}},
        "AWS::SQS::Queue": {"requestParameters": {"queueUrl": queue_url}},
        "AWS::Lambda::Function": {"requestParameters": {"functionName": function}},
    }
    scope = Scope(account, REGION)
    targets = {}
    for name, record in records.items():
        how = REGISTRY[name].targeted
        assert how is not None
        targets[name] = how.keys(record, scope)
    assert targets["AWS::Lambda::Function"] == ("targeted-fn",)
    canonical = f"https://sqs.{REGION}.amazonaws.com/{account}/targeted"
    assert targets["AWS::SQS::Queue"] == (canonical,)
    assert queue_url != canonical  # the sandbox's URL names its own endpoint

    aws("s3").put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    aws("sns").set_topic_attributes(TopicArn=topic, AttributeName="DisplayName", AttributeValue="T")
    aws("sqs").set_queue_attributes(QueueUrl=queue_url, Attributes={"DelaySeconds": "3"})
    aws("lambda").update_function_configuration(FunctionName="targeted-fn", Timeout=9)
    reports = engine.sweep(account, REGION, types=list(targets), targets=targets, force=True)
    assert {r.type_name: (r.targeted, r.outcome.changed) for r in reports} == {
        name: (keys, 1) for name, keys in targets.items()
    }

    full = engine.sweep(account, REGION, types=list(targets), force=True)
    assert {r.type_name: r.outcome.changed for r in full} == dict.fromkeys(targets, 0)

    aws("s3").delete_bucket(Bucket=bucket)
    aws("sns").delete_topic(TopicArn=topic)
    aws("sqs").delete_queue(QueueUrl=queue_url)
    aws("lambda").delete_function(FunctionName="targeted-fn")
    reports = engine.sweep(account, REGION, types=list(targets), targets=targets, force=True)
    assert {r.type_name: (r.targeted, r.outcome.deleted) for r in reports} == {
        name: (keys, 1) for name, keys in targets.items()
    }
    assert _statuses(config, "AWS::SQS::Queue", canonical)[0] == "ResourceDeleted"


@pytest.mark.parametrize(
    ("record", "path", "found"),
    [
        # CloudTrail's EC2 lists are wrapped in "items"; the sandbox's are bare lists.
        ({"r": {"set": {"items": [{"id": "a"}, {"id": "b"}]}}}, "r.set.items.id", ["a", "b"]),
        ({"r": {"set": [{"id": "a"}, {"id": "b"}]}}, "r.set.items.id", ["a", "b"]),
        ({"r": {"id": ["a", "b"]}}, "r.id", ["a", "b"]),
        ({"r": {"x": [{"y": {"id": "deep"}}], "id": "top"}}, "r.**.id", ["top", "deep"]),
        ({"r": {"id": ""}}, "r.id", []),  # an empty member names nothing
        ({"r": {"id": {"not": "a string"}}}, "r.id", []),
        ({"r": None}, "r.id", []),
        ({}, "r.id", []),
    ],
    ids=["wrapped", "bare-list", "list-member", "any-depth", "empty", "object", "null", "absent"],
)
def test_paths_into_a_record(record: dict[str, Any], path: str, found: list[str]) -> None:
    assert list(values_at(record, path)) == found
