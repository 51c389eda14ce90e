"""Parameters as a run gets them: RESOURCE_ID substituted, static values passed, and
the document's defaults, required parameters and allowed values applied as SSM does."""

from __future__ import annotations

import pytest

from configledger.remediation.configuration import parameter_values
from configledger.remediation.documents import NATIVE
from configledger.remediation.types import DocumentFailed, resolve

VERSIONING = NATIVE["AWS-ConfigureS3BucketVersioning"]


def test_resource_id_and_static_values() -> None:
    config = {
        "Parameters": {
            "BucketName": {"ResourceValue": {"Value": "RESOURCE_ID"}},
            "AutomationAssumeRole": {"StaticValue": {"Values": ["arn:aws:iam::1:role/r"]}},
        }
    }
    assert parameter_values(config, "my-bucket") == {
        "BucketName": ["my-bucket"],
        "AutomationAssumeRole": ["arn:aws:iam::1:role/r"],
    }


def test_defaults_filled_in() -> None:
    assert resolve(VERSIONING, {"BucketName": ["b"]}) == {
        "BucketName": ["b"],
        "VersioningState": ["Enabled"],
    }


@pytest.mark.parametrize(
    ("given", "message"),
    [
        ({}, "Parameter BucketName is required"),
        ({"BucketName": ["b"], "VersioningState": ["Off"]}, "value Off is not one of"),
        ({"BucketName": ["b"], "Bucket": ["b"]}, "Parameter Bucket does not exist"),
    ],
    ids=["missing-required", "not-allowed", "unknown"],
)
def test_refused_like_ssm(given: dict[str, list[str]], message: str) -> None:
    with pytest.raises(DocumentFailed, match=message):
        resolve(VERSIONING, given)


def test_every_native_document_takes_the_assume_role() -> None:
    for document in NATIVE.values():
        assert "AutomationAssumeRole" in {p.name for p in document.parameters}, document.name
        assert document.steps, document.name
