"""The resource-type registry held to its contract."""

from __future__ import annotations

import pkgutil

import boto3
import botocore.session

from configledger.recorder import resource_types
from configledger.recorder.resource_types import REGISTRY

# Modules under resource_types/ that are helpers, not types.
NOT_TYPES = {"iam._shared", "ec2._targeted"}
# CloudTrail event names that are not the API's operation names.
CLOUDTRAIL_ONLY_NAMES = {"PutBucketPublicAccessBlock", "DeleteBucketPublicAccessBlock"}


def test_every_registered_type_is_in_botocores_resource_type_enum() -> None:
    enum = set(
        botocore.session.get_session().get_service_model("config").shape_for("ResourceType").enum
    )
    assert sorted(set(REGISTRY) - enum) == []


def test_every_type_names_a_real_boto3_service_and_real_event_names() -> None:
    session = botocore.session.get_session()
    available = set(boto3.session.Session().get_available_services())
    for resource_type in REGISTRY.values():
        assert resource_type.service in available, resource_type.type_name
        operations = set(session.get_service_model(resource_type.service).operation_names)
        versioned = {e for e in resource_type.events if e not in operations | CLOUDTRAIL_ONLY_NAMES}
        # Lambda's CloudTrail names carry API versions (CreateFunction20150331).
        assert all(any(e.startswith(op) for op in operations) for e in versioned), versioned


def test_every_type_module_is_registered() -> None:
    modules = {
        name.removeprefix(resource_types.__name__ + ".")
        for _, name, is_package in pkgutil.walk_packages(
            resource_types.__path__, resource_types.__name__ + "."
        )
        if not is_package
    }
    registered = {
        t.fetch.__module__.removeprefix(resource_types.__name__ + ".") for t in REGISTRY.values()
    }
    assert sorted(modules - registered - NOT_TYPES) == []


def test_the_issues_thirty_types_are_all_there() -> None:
    expected = {
        "AWS::EC2::Instance", "AWS::EC2::SecurityGroup", "AWS::EC2::VPC", "AWS::EC2::Subnet",
        "AWS::EC2::NetworkAcl", "AWS::EC2::RouteTable", "AWS::EC2::InternetGateway",
        "AWS::EC2::NatGateway", "AWS::EC2::Volume", "AWS::EC2::NetworkInterface", "AWS::EC2::EIP",
        "AWS::S3::Bucket", "AWS::IAM::User", "AWS::IAM::Role", "AWS::IAM::Group",
        "AWS::IAM::Policy", "AWS::SNS::Topic", "AWS::SQS::Queue", "AWS::Lambda::Function",
        "AWS::RDS::DBInstance", "AWS::RDS::DBSubnetGroup", "AWS::DynamoDB::Table",
        "AWS::KMS::Key", "AWS::CloudTrail::Trail", "AWS::ElasticLoadBalancingV2::LoadBalancer",
        "AWS::AutoScaling::AutoScalingGroup", "AWS::CloudFormation::Stack",
        "AWS::SecretsManager::Secret",
    }  # fmt: skip
    assert sorted(expected - set(REGISTRY)) == []
