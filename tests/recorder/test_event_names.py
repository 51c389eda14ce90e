"""Resource types declare the event names CloudTrail emits, which the sandbox emits too:
an operation CloudTrail logs under another name (S3's PutPublicAccessBlock, Lambda's
versioned names) is declared under that name, never under the operation's."""

from __future__ import annotations

from configledger.recorder.resource_types import REGISTRY, event_source
from configledger.sandbox.event_names import event_name


def _renamed(service: str, operation: str) -> bool:
    return event_name(service, operation) != operation


def test_no_type_declares_an_operation_name_cloudtrail_does_not_log() -> None:
    for resource_type in REGISTRY.values():
        service = event_source(resource_type.service).removesuffix(".amazonaws.com")
        stale = {e for e in resource_type.events if _renamed(service, e)}
        assert stale == set(), (resource_type.type_name, stale)


def test_the_renamed_calls_a_type_cares_about_are_declared_under_cloudtrails_names() -> None:
    bucket = REGISTRY["AWS::S3::Bucket"].events
    assert {event_name("s3", "PutPublicAccessBlock"), "DeleteBucketPublicAccessBlock"} <= bucket
    function = REGISTRY["AWS::Lambda::Function"].events
    for operation in ("CreateFunction", "DeleteFunction", "UpdateFunctionConfiguration"):
        assert event_name("lambda", operation) in function
    assert event_name("lambda", "CreateFunction") == "CreateFunction20150331"
    assert event_name("lambda", "UpdateFunctionConfiguration") == (
        "UpdateFunctionConfiguration20150331v2"
    )
    assert event_name("ec2", "CreateTags") == "CreateTags"  # most services: as called
