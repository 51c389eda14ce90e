"""The registries held to their contracts by a machine, not by memory."""

from __future__ import annotations

import inspect

from configledger import errors
from configledger.api import model
from configledger.operations import OPERATIONS

# JSON-protocol errors every AWS service answers with, which the model does not list.
GENERIC_AWS_ERRORS = {
    "InternalFailure",
    "SerializationException",
    "UnknownOperationException",
    "MissingAuthenticationTokenException",
    "IncompleteSignatureException",
    "UnrecognizedClientException",
    "InvalidSignatureException",
    "AccessDeniedException",
}


def test_every_registered_operation_is_in_botocores_model() -> None:
    unknown = sorted(name for name in OPERATIONS if model.operation(name) is None)
    assert unknown == []


def test_the_foundation_operations_are_all_registered() -> None:
    expected = {
        "PutConfigurationRecorder", "DescribeConfigurationRecorders",
        "DescribeConfigurationRecorderStatus", "ListConfigurationRecorders",
        "DeleteConfigurationRecorder", "StartConfigurationRecorder",
        "StopConfigurationRecorder", "AssociateResourceTypes", "DisassociateResourceTypes",
        "PutDeliveryChannel", "DescribeDeliveryChannels", "DescribeDeliveryChannelStatus",
        "DeleteDeliveryChannel", "PutRetentionConfiguration",
        "DescribeRetentionConfigurations", "DeleteRetentionConfiguration",
        "PutResourceConfig", "DeleteResourceConfig", "GetResourceConfigHistory",
        "ListDiscoveredResources", "BatchGetResourceConfig", "GetDiscoveredResourceCounts",
        "TagResource", "UntagResource", "ListTagsForResource",
    }  # fmt: skip
    assert expected - OPERATIONS.keys() == set()


def test_every_error_code_is_awss() -> None:
    codes = {
        cls.code
        for _, cls in inspect.getmembers(errors, inspect.isclass)
        if issubclass(cls, errors.AwsError) and cls not in (errors.AwsError, errors.ClientError)
    }
    allowed = model.error_codes() | GENERIC_AWS_ERRORS
    assert sorted(codes - allowed) == []


def test_each_error_class_has_its_own_code() -> None:
    classes = [
        cls
        for _, cls in inspect.getmembers(errors, inspect.isclass)
        if issubclass(cls, errors.AwsError) and cls not in (errors.AwsError, errors.ClientError)
    ]
    codes = [cls.code for cls in classes]
    assert len(codes) == len(set(codes))
    for cls in classes:
        assert cls.code == cls.__name__, cls
