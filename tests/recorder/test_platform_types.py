"""The RDS, DynamoDB, CloudTrail, ELBv2, Auto Scaling and CloudFormation resource types
against moto (standing in for AWS), in process.

Each test builds real resources with boto3, lists them with the type's ``fetch`` and
reads the ``transform`` output: ids, names, ARNs, zones, configuration, tags and edges as
AWS Config records them, then deletes a resource and sees it leave the listing.
botocore's Stubber stands in for AWS where moto cannot show a behaviour (a failed call,
a stack caught mid-update).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from types import ModuleType
from typing import Any

import boto3
import botocore.session
import pytest
from botocore.exceptions import ClientError
from botocore.stub import Stubber
from moto import mock_aws

from configledger.recorder.resource_types.autoscaling import auto_scaling_group
from configledger.recorder.resource_types.cloudformation import stack
from configledger.recorder.resource_types.cloudtrail import trail
from configledger.recorder.resource_types.dynamodb import table
from configledger.recorder.resource_types.elbv2 import load_balancer
from configledger.recorder.resource_types.rds import db_instance, db_subnet_group
from configledger.recorder.types import Described, Relation, Scope, epoch_ms

ACCOUNT = "123456789012"  # moto's account
REGION = "us-east-1"
SCOPE = Scope(ACCOUNT, REGION)
MODULES = [db_instance, db_subnet_group, table, trail, load_balancer, auto_scaling_group, stack]


def client(service: str, region: str = REGION) -> Any:
    return boto3.client(service, region_name=region)


def described(module: ModuleType, region: str = REGION) -> list[Described]:
    scope = Scope(ACCOUNT, region)
    api = client(module.RESOURCE_TYPE.service, region)
    return [module.transform(raw, scope) for raw in module.fetch(api, scope)]


def listing(module: ModuleType, region: str = REGION) -> dict[str, Described]:
    return {d.resource_id: d for d in described(module, region)}


def only(module: ModuleType) -> Described:
    (item,) = listing(module).values()
    return item


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.setenv(name, "testing")
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    with mock_aws():
        yield


@dataclass
class Network:
    vpc: str
    subnet_a: str
    subnet_b: str
    group: str


@pytest.fixture
def network(aws: None) -> Network:
    ec2 = client("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    subnet_a, subnet_b = (
        ec2.create_subnet(VpcId=vpc, CidrBlock=cidr, AvailabilityZone=zone)["Subnet"]["SubnetId"]
        for cidr, zone in (("10.0.1.0/24", "us-east-1a"), ("10.0.2.0/24", "us-east-1b"))
    )
    group = ec2.create_security_group(GroupName="app", Description="app", VpcId=vpc)["GroupId"]
    return Network(vpc, subnet_a, subnet_b, group)


# -- the declarations ------------------------------------------------------------------


@pytest.mark.parametrize("module", MODULES, ids=lambda m: m.__name__.rsplit(".", 2)[-2])
def test_each_type_is_one_of_botocores_resource_types_with_a_real_client(
    module: ModuleType,
) -> None:
    session = botocore.session.get_session()
    enum = session.get_service_model("config").shape_for("ResourceType").enum
    declared = module.RESOURCE_TYPE
    assert declared.type_name in enum
    assert declared.service in session.get_available_services()
    assert declared.events and all(e[:1].isupper() and " " not in e for e in declared.events)


# -- RDS -------------------------------------------------------------------------------


def create_subnet_group(net: Network, name: str = "dbsg") -> None:
    client("rds").create_db_subnet_group(
        DBSubnetGroupName=name,
        DBSubnetGroupDescription="databases",
        SubnetIds=[net.subnet_a, net.subnet_b],
        Tags=[{"Key": "tier", "Value": "data"}],
    )


def create_db(net: Network, name: str) -> dict[str, Any]:
    return client("rds").create_db_instance(  # type: ignore[no-any-return]
        DBInstanceIdentifier=name,
        DBInstanceClass="db.t3.micro",
        Engine="postgres",
        MasterUsername="admin",
        MasterUserPassword="correct-horse-battery",
        AllocatedStorage=20,
        AvailabilityZone="us-east-1b",
        DBSubnetGroupName="dbsg",
        VpcSecurityGroupIds=[net.group],
        Tags=[{"Key": "env", "Value": "test"}],
    )["DBInstance"]


def test_db_instance_is_recorded_by_its_dbi_resource_id_and_leaves_when_deleted(
    network: Network,
) -> None:
    create_subnet_group(network)
    created = create_db(network, "orders")
    create_db(network, "spare")
    # moto gives every instance the same DbiResourceId, so items are told apart by name.
    by_name = {d.resource_name: d for d in described(db_instance)}
    item = by_name["orders"]

    assert item.resource_id == created["DbiResourceId"] and item.resource_id.startswith("db-")
    assert item.arn == f"arn:aws:rds:{REGION}:{ACCOUNT}:db:orders"
    assert item.availability_zone == "us-east-1b"
    assert item.resource_creation_ms == epoch_ms(created["InstanceCreateTime"])
    config = item.configuration
    assert config["dBInstanceIdentifier"] == "orders"
    assert config["dbiResourceId"] == item.resource_id
    assert config["iAMDatabaseAuthenticationEnabled"] is False  # only the first letter lowered
    assert config["dBSubnetGroup"]["dBSubnetGroupName"] == "dbsg"
    assert config["vpcSecurityGroups"] == [
        {"vpcSecurityGroupId": network.group, "status": "active"}
    ]
    assert config["instanceCreateTime"].endswith("Z")
    assert item.tags == {"env": "test"}
    assert item.supplementary == {"Tags": [{"key": "env", "value": "test"}]}
    assert set(item.relations) == {
        Relation("Is associated with SecurityGroup", "AWS::EC2::SecurityGroup", network.group),
        Relation("Is associated with DBSubnetGroup", "AWS::RDS::DBSubnetGroup", "dbsg"),
    }

    client("rds").delete_db_instance(DBInstanceIdentifier="orders", SkipFinalSnapshot=True)
    assert [d.resource_name for d in described(db_instance)] == ["spare"]


def test_db_subnet_group_is_recorded_by_name_with_its_subnets_and_vpc(network: Network) -> None:
    create_subnet_group(network)
    create_subnet_group(network, "other")
    item = listing(db_subnet_group)["dbsg"]

    assert item.resource_name == "dbsg"
    assert item.arn == f"arn:aws:rds:{REGION}:{ACCOUNT}:subgrp:dbsg"
    assert item.availability_zone == "Multiple Availability Zones"
    assert item.configuration["dBSubnetGroupName"] == "dbsg"
    assert item.configuration["vpcId"] == network.vpc
    assert {s["subnetIdentifier"] for s in item.configuration["subnets"]} == {
        network.subnet_a,
        network.subnet_b,
    }
    assert item.tags == {"tier": "data"}  # from ListTagsForResource
    assert set(item.relations) == {
        Relation("Is associated with Subnet", "AWS::EC2::Subnet", network.subnet_a),
        Relation("Is associated with Subnet", "AWS::EC2::Subnet", network.subnet_b),
        Relation("Is associated with Vpc", "AWS::EC2::VPC", network.vpc),
    }

    client("rds").delete_db_subnet_group(DBSubnetGroupName="dbsg")
    assert list(listing(db_subnet_group)) == ["other"]


# -- DynamoDB --------------------------------------------------------------------------


def create_table(name: str, **extra: Any) -> None:
    client("dynamodb").create_table(
        TableName=name,
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
        **extra,
    )


def test_dynamodb_table_is_recorded_the_java_bean_way_with_its_backups(aws: None) -> None:
    key = client("kms").create_key()["KeyMetadata"]["Arn"]
    create_table(
        "orders",
        Tags=[{"Key": "team", "Value": "payments"}],
        SSESpecification={"Enabled": True, "SSEType": "KMS", "KMSMasterKeyId": key},
    )
    create_table("audit")
    client("dynamodb").update_continuous_backups(
        TableName="orders", PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True}
    )
    items = listing(table)
    item = items["orders"]

    assert item.resource_name == "orders"
    assert item.arn == f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/orders"
    assert item.availability_zone == "Not Applicable"
    config = item.configuration
    assert config["tableName"] == "orders"
    assert config["keySchema"] == [{"attributeName": "pk", "keyType": "HASH"}]
    assert config["billingModeSummary"]["billingMode"] == "PAY_PER_REQUEST"
    # SSEDescription -> ssedescription, SSEType -> ssetype, KMSMasterKeyArn -> kmsmasterKeyArn
    assert config["ssedescription"] == {
        "status": "ENABLED",
        "ssetype": "KMS",
        "kmsmasterKeyArn": key,
    }
    assert isinstance(config["creationDateTime"], int)
    assert config["creationDateTime"] == item.resource_creation_ms
    backups = item.supplementary["ContinuousBackupsDescription"]
    assert backups["continuousBackupsStatus"] == "ENABLED"
    assert backups["pointInTimeRecoveryDescription"]["pointInTimeRecoveryStatus"] == "ENABLED"
    assert item.tags == {"team": "payments"}
    assert (
        items["audit"].supplementary["ContinuousBackupsDescription"][
            "pointInTimeRecoveryDescription"
        ]["pointInTimeRecoveryStatus"]
        == "DISABLED"
    )
    assert items["audit"].tags == {}
    assert item.relations == ()

    client("dynamodb").delete_table(TableName="orders")
    assert list(listing(table)) == ["audit"]


def test_a_failed_detail_call_fails_the_listing_instead_of_dropping_the_table() -> None:
    ddb = botocore.session.get_session().create_client(
        "dynamodb", region_name=REGION, aws_access_key_id="a", aws_secret_access_key="b"
    )
    with Stubber(ddb) as stub:
        stub.add_response("list_tables", {"TableNames": ["ghost"]})
        stub.add_client_error("describe_table", "ResourceNotFoundException", http_status_code=400)
        with pytest.raises(ClientError):
            list(table.fetch(ddb, SCOPE))


# -- CloudTrail ------------------------------------------------------------------------


def test_trail_is_recorded_once_in_its_home_region_without_tags(aws: None) -> None:
    client("s3").create_bucket(Bucket="trail-logs")
    cloudtrail = client("cloudtrail")
    for name in ("org", "local"):
        cloudtrail.create_trail(
            Name=name,
            S3BucketName="trail-logs",
            IsMultiRegionTrail=name == "org",
            TagsList=[{"Key": "owner", "Value": "security"}],
        )
    item = listing(trail)["org"]

    assert item.resource_name == "org"
    assert item.arn == f"arn:aws:cloudtrail:{REGION}:{ACCOUNT}:trail/org"
    assert item.availability_zone == "Not Applicable"
    assert item.configuration["s3BucketName"] == "trail-logs"
    assert item.configuration["isMultiRegionTrail"] is True
    assert item.configuration["homeRegion"] == REGION
    assert item.tags == {}  # AWS Config records no tags for trails
    assert listing(trail, "us-west-2") == {}  # the shadow copy is not a second resource

    cloudtrail.delete_trail(Name="org")
    assert list(listing(trail)) == ["local"]


# -- ELBv2 -----------------------------------------------------------------------------


def test_load_balancer_is_recorded_by_arn_with_its_groups_subnets_and_vpc(
    network: Network,
) -> None:
    elbv2 = client("elbv2")
    created = elbv2.create_load_balancer(
        Name="web",
        Subnets=[network.subnet_a, network.subnet_b],
        SecurityGroups=[network.group],
        Tags=[{"Key": "app", "Value": "shop"}],
    )["LoadBalancers"][0]
    arn = created["LoadBalancerArn"]
    item = only(load_balancer)

    assert item.resource_id == arn and arn.startswith(
        f"arn:aws:elasticloadbalancing:{REGION}:{ACCOUNT}:loadbalancer/app/web/"
    )
    assert (item.resource_name, item.arn) == ("web", arn)
    assert item.availability_zone == "Multiple Availability Zones"
    assert item.resource_creation_ms == epoch_ms(created["CreatedTime"])
    assert item.configuration["dNSName"] == created["DNSName"]  # only the first letter lowered
    assert item.configuration["type"] == "application"
    assert item.configuration["securityGroups"] == [network.group]
    assert item.tags == {"app": "shop"}
    assert item.supplementary["Tags"] == [{"key": "app", "value": "shop"}]
    assert {"key": "deletion_protection.enabled", "value": "false"} in item.supplementary[
        "LoadBalancerAttributes"
    ]
    assert set(item.relations) == {
        Relation("Is associated with SecurityGroup", "AWS::EC2::SecurityGroup", network.group),
        Relation("Is attached to Subnet", "AWS::EC2::Subnet", network.subnet_a),
        Relation("Is attached to Subnet", "AWS::EC2::Subnet", network.subnet_b),
        Relation("Is contained in Vpc", "AWS::EC2::VPC", network.vpc),
    }

    elbv2.delete_load_balancer(LoadBalancerArn=arn)
    assert listing(load_balancer) == {}


def test_load_balancer_tags_are_read_in_batches_of_twenty(network: Network) -> None:
    elbv2 = client("elbv2")
    names = [f"lb{i:02}" for i in range(23)]
    for name in names:
        elbv2.create_load_balancer(
            Name=name,
            Subnets=[network.subnet_a, network.subnet_b],
            Tags=[{"Key": "n", "Value": name}],
        )
    items = listing(load_balancer).values()
    assert sorted((d.resource_name, d.tags["n"]) for d in items) == [(n, n) for n in names]


# -- Auto Scaling ----------------------------------------------------------------------


def test_auto_scaling_group_is_recorded_by_arn_with_its_subnets_and_launch_configuration(
    network: Network,
) -> None:
    autoscaling = client("autoscaling")
    autoscaling.create_launch_configuration(
        LaunchConfigurationName="web-v1", ImageId="ami-12c6146b", InstanceType="t3.micro"
    )
    autoscaling.create_auto_scaling_group(
        AutoScalingGroupName="web",
        LaunchConfigurationName="web-v1",
        MinSize=0,
        MaxSize=2,
        DesiredCapacity=0,
        VPCZoneIdentifier=f"{network.subnet_a},{network.subnet_b}",
        Tags=[{"Key": "team", "Value": "web", "PropagateAtLaunch": True}],
    )
    autoscaling.put_lifecycle_hook(
        LifecycleHookName="drain",
        AutoScalingGroupName="web",
        LifecycleTransition="autoscaling:EC2_INSTANCE_TERMINATING",
    )
    group = autoscaling.describe_auto_scaling_groups()["AutoScalingGroups"][0]
    item = only(auto_scaling_group)

    assert item.resource_id == group["AutoScalingGroupARN"]
    assert item.resource_id.endswith(":autoScalingGroupName/web")
    assert (item.resource_name, item.arn) == ("web", item.resource_id)
    assert item.availability_zone == "Multiple Availability Zones"
    config = item.configuration
    assert config["vpczoneIdentifier"] == f"{network.subnet_a},{network.subnet_b}"
    assert "vPCZoneIdentifier" not in config
    assert config["autoScalingGroupARN"] == item.resource_id
    assert config["launchConfigurationName"] == "web-v1"
    assert config["createdTime"] == item.resource_creation_ms == epoch_ms(group["CreatedTime"])
    assert config["tags"][0]["propagateAtLaunch"] is True
    assert item.tags == {"team": "web"}
    (hook,) = item.supplementary["LifeCycleHooks"]
    assert (hook["lifecycleHookName"], hook["autoScalingGroupName"]) == ("drain", "web")
    assert set(item.relations) == {
        Relation("Is associated with ", "AWS::EC2::Subnet", network.subnet_a),
        Relation("Is associated with ", "AWS::EC2::Subnet", network.subnet_b),
        Relation(
            "Is associated with ", "AWS::AutoScaling::LaunchConfiguration", target_name="web-v1"
        ),
    }

    autoscaling.delete_auto_scaling_group(AutoScalingGroupName="web", ForceDelete=True)
    assert listing(auto_scaling_group) == {}


def test_auto_scaling_group_from_a_launch_template_has_no_launch_configuration_edge(
    network: Network,
) -> None:
    client("ec2").create_launch_template(
        LaunchTemplateName="web",
        LaunchTemplateData={"ImageId": "ami-12c6146b", "InstanceType": "t3.micro"},
    )
    client("autoscaling").create_auto_scaling_group(
        AutoScalingGroupName="web",
        LaunchTemplate={"LaunchTemplateName": "web", "Version": "$Latest"},
        MinSize=0,
        MaxSize=1,
        VPCZoneIdentifier=network.subnet_a,
    )
    item = only(auto_scaling_group)
    assert item.configuration["launchTemplate"]["launchTemplateName"] == "web"
    assert item.relations == (
        Relation("Is associated with ", "AWS::EC2::Subnet", network.subnet_a),
    )


# -- CloudFormation --------------------------------------------------------------------

TEMPLATE = {
    "Resources": {
        "Topic": {"Type": "AWS::SNS::Topic", "Properties": {"TopicName": "alerts"}},
        "Bucket": {"Type": "AWS::S3::Bucket", "Properties": {"BucketName": "stack-artifacts"}},
        # AWS Config does not record log groups: no "Contains" edge for this one.
        "Logs": {"Type": "AWS::Logs::LogGroup", "Properties": {"LogGroupName": "app"}},
    }
}


def test_stack_is_recorded_by_stack_id_and_contains_its_recorded_resources(aws: None) -> None:
    cloudformation = client("cloudformation")
    stack_id = cloudformation.create_stack(
        StackName="shop", TemplateBody=json.dumps(TEMPLATE), Tags=[{"Key": "app", "Value": "shop"}]
    )["StackId"]
    cloudformation.create_stack(
        StackName="other",
        TemplateBody=json.dumps({"Resources": {"T": {"Type": "AWS::SNS::Topic"}}}),
    )
    item = listing(stack)[stack_id]

    assert stack_id.startswith(f"arn:aws:cloudformation:{REGION}:{ACCOUNT}:stack/shop/")
    assert (item.resource_name, item.arn) == ("shop", stack_id)
    assert item.availability_zone == "Not Applicable"
    assert item.configuration["stackStatus"] == "CREATE_COMPLETE"
    assert item.configuration["stackId"] == stack_id
    assert item.resource_creation_ms is not None
    assert item.tags == {"app": "shop"}
    summaries = item.supplementary["StackResourceSummaries"]
    assert {s["logicalResourceId"] for s in summaries} == {"Topic", "Bucket", "Logs"}
    assert set(item.relations) == {
        Relation("Contains", "AWS::SNS::Topic", f"arn:aws:sns:{REGION}:{ACCOUNT}:alerts"),
        Relation("Contains", "AWS::S3::Bucket", "stack-artifacts"),
    }

    cloudformation.delete_stack(StackName="shop")
    assert [d.resource_name for d in listing(stack).values()] == ["other"]


def stack_record(name: str, status: str) -> dict[str, Any]:
    return {
        "StackId": f"arn:aws:cloudformation:{REGION}:{ACCOUNT}:stack/{name}/1",
        "StackName": name,
        "CreationTime": "2024-01-01T00:00:00Z",
        "StackStatus": status,
    }


def stubbed_stacks(*stacks: dict[str, Any]) -> tuple[Any, Stubber]:
    cfn = botocore.session.get_session().create_client(
        "cloudformation", region_name=REGION, aws_access_key_id="a", aws_secret_access_key="b"
    )
    stub = Stubber(cfn)
    stub.add_response("describe_stacks", {"Stacks": list(stacks)})
    for record in stacks:
        if record["StackStatus"] in stack.RECORDED:
            stub.add_response(
                "list_stack_resources",
                {"StackResourceSummaries": []},
                {"StackName": record["StackId"]},
            )
    return cfn, stub


def test_only_stacks_in_recorded_states_are_listed() -> None:
    cfn, stub = stubbed_stacks(
        stack_record("live", "UPDATE_ROLLBACK_COMPLETE"),
        stack_record("failed", "ROLLBACK_COMPLETE"),
        stack_record("new", "CREATE_IN_PROGRESS"),
    )
    with stub:
        listed = [raw["Stack"]["StackName"] for raw in stack.fetch(cfn, SCOPE)]
    assert listed == ["live"]


def test_a_stack_caught_mid_update_makes_the_listing_incomplete_not_shorter() -> None:
    cfn, stub = stubbed_stacks(
        stack_record("busy", "UPDATE_IN_PROGRESS"), stack_record("live", "CREATE_COMPLETE")
    )
    with stub:
        fetched = stack.fetch(cfn, SCOPE)
        assert next(iter(fetched))["Stack"]["StackName"] == "live"
        with pytest.raises(stack.StackNotSettled, match="busy"):
            next(iter(fetched))
