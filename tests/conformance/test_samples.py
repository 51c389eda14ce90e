"""AWS's published sample conformance packs, unmodified, deployed against a small sandbox
estate (a compliant and a non-compliant bucket, a Lambda function, a tagged and an
untagged volume), evaluated, summarized, scored and deleted.

The templates are read from ``CONFIGLEDGER_SAMPLE_PACKS`` (a directory of the sample
YAML files); these tests skip when it is absent.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from configledger.rules.kinds import KINDS
from tests.conformance.helpers import base_name, details, pack_rules, score, summary
from tests.conformance.helpers import wait_for as _wait_for
from tests.conftest import LiveServer, pack_deleted, pack_settled
from tests.rules.managed.sandbox import RecordedAccount
from tests.rules.managed.test_recorded_shapes import LAMBDA_TRUST, lambda_zip

SAMPLES = Path(os.environ.get("CONFIGLEDGER_SAMPLE_PACKS", "/work/shared/data/conformance-packs"))
pytestmark = pytest.mark.skipif(
    not SAMPLES.is_dir(), reason=f"sample conformance packs not found in {SAMPLES}"
)
BUCKET = "AWS::S3::Bucket"
FUNCTION = "AWS::Lambda::Function"
VOLUME = "AWS::EC2::Volume"
EVALUATION_TIMEOUT = 60.0
C, NC = "COMPLIANT", "NON_COMPLIANT"


@dataclass
class Estate:
    sandbox: RecordedAccount
    good: str
    bad: str
    logs: str
    function: str
    function_arn: str
    tagged_volume: str
    untagged_volume: str

    @property
    def config(self) -> Any:
        return self.sandbox.config


def _buckets(sandbox: RecordedAccount) -> tuple[str, str, str]:
    s3 = sandbox.client("s3")
    good, bad, logs = (f"{kind}-{sandbox.account}" for kind in ("good", "bad", "logs"))
    for name in (good, bad, logs):
        s3.create_bucket(Bucket=name)
    s3.put_bucket_acl(Bucket=logs, ACL="log-delivery-write")
    s3.put_bucket_versioning(Bucket=good, VersioningConfiguration={"Status": "Enabled"})
    s3.put_public_access_block(
        Bucket=good,
        PublicAccessBlockConfiguration={
            "BlockPublicAcls": True,
            "IgnorePublicAcls": True,
            "BlockPublicPolicy": True,
            "RestrictPublicBuckets": True,
        },
    )
    ssl_only = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Deny",
                "Principal": "*",
                "Action": "s3:*",
                "Resource": [f"arn:aws:s3:::{good}", f"arn:aws:s3:::{good}/*"],
                "Condition": {"Bool": {"aws:SecureTransport": "false"}},
            }
        ],
    }
    s3.put_bucket_policy(Bucket=good, Policy=json.dumps(ssl_only))
    s3.put_bucket_encryption(
        Bucket=good,
        ServerSideEncryptionConfiguration={
            "Rules": [
                {
                    "ApplyServerSideEncryptionByDefault": {
                        "SSEAlgorithm": "aws:kms",
                        "KMSMasterKeyID": "alias/aws/s3",
                    }
                }
            ]
        },
    )
    s3.put_bucket_logging(
        Bucket=good,
        BucketLoggingStatus={"LoggingEnabled": {"TargetBucket": logs, "TargetPrefix": "access/"}},
    )
    s3.put_bucket_acl(Bucket=bad, ACL="public-read")
    return good, bad, logs


@pytest.fixture(scope="module")
def estate(sqlite_server: LiveServer) -> Iterator[Estate]:
    sandbox = RecordedAccount(sqlite_server, BUCKET, FUNCTION, VOLUME)
    good, bad, logs = _buckets(sandbox)
    role = sandbox.client("iam").create_role(
        RoleName="sample-fn-role", AssumeRolePolicyDocument=json.dumps(LAMBDA_TRUST)
    )["Role"]["Arn"]
    lambda_ = sandbox.client("lambda")
    function_arn = lambda_.create_function(
        FunctionName="sample-fn",
        Runtime="python3.12",
        Role=role,
        Handler="handler.handler",
        Code={"ZipFile": lambda_zip()},
    )["FunctionArn"]
    lambda_.add_permission(
        FunctionName="sample-fn",
        StatementId="config",
        Action="lambda:InvokeFunction",
        Principal="config.amazonaws.com",
    )
    ec2 = sandbox.client("ec2")
    tagged = ec2.create_volume(
        AvailabilityZone="us-east-1a",
        Size=1,
        TagSpecifications=[
            {"ResourceType": "volume", "Tags": [{"Key": "CostCenter", "Value": "42"}]}
        ],
    )["VolumeId"]
    untagged = ec2.create_volume(AvailabilityZone="us-east-1a", Size=1)["VolumeId"]
    for resource_type, resource_id in [
        (BUCKET, good), (BUCKET, bad), (FUNCTION, "sample-fn"), (VOLUME, tagged),
        (VOLUME, untagged),
    ]:  # fmt: skip
        sandbox.wait(
            lambda t=resource_type, i=resource_id: sandbox.newest(t, i),
            f"{resource_type} {resource_id} recorded",
        )

    # The good bucket's last setting is recorded before any pack looks at it.
    def logging_recorded() -> bool:
        item = sandbox.newest(BUCKET, good) or {}
        found = (item.get("supplementaryConfiguration") or {}).get("BucketLoggingConfiguration")
        if isinstance(found, str):  # the API form carries supplementary values as JSON text
            found = json.loads(found)
        return bool(found) and found.get("destinationBucketName") == logs

    sandbox.wait(logging_recorded, "the good bucket's logging recorded")
    yield Estate(sandbox, good, bad, logs, "sample-fn", function_arn, tagged, untagged)


def template(name: str) -> str:
    return (SAMPLES / name).read_text()


def settle(estate: Estate, pack: str, expected: dict[str, dict[str, str]]) -> None:
    """Wait until the pack reports ``expected``: base rule name -> resource -> compliance."""
    wanted = {(rule, resource, c) for rule, results in expected.items()
              for resource, c in results.items()}  # fmt: skip

    def reported() -> bool:
        found = {(base_name(r), i, c) for r, i, c in details(estate.config, pack)}
        return wanted <= found

    _wait_for(reported, f"{pack} to report {sorted(wanted)}", EVALUATION_TIMEOUT)


def deployed(estate: Estate, pack: str, body: str, **extra: Any) -> dict[str, Any]:
    estate.config.put_conformance_pack(ConformancePackName=pack, TemplateBody=body, **extra)
    found = pack_settled(estate.config, pack)
    assert found["ConformancePackState"] == "CREATE_COMPLETE", found
    return found


def delete_and_check(estate: Estate, pack: str) -> None:
    rules = set(pack_rules(estate.config, pack))
    estate.config.delete_conformance_pack(ConformancePackName=pack)
    pack_deleted(estate.config, pack)
    remaining = {r["ConfigRuleName"] for r in estate.config.describe_config_rules()["ConfigRules"]}
    assert rules and not rules & remaining
    assert (
        estate.config.describe_conformance_pack_status(ConformancePackNames=[pack])[
            "ConformancePackStatusDetails"
        ]
        == []
    )


def assert_scored(estate: Estate, pack: str) -> None:
    value = score(estate.config, pack)
    assert 0 < float(value) < 100, value  # one good and one bad bucket at least


def test_operational_best_practices_for_s3(estate: Estate) -> None:
    pack = "s3-best-practices"
    found = deployed(estate, pack, template("Operational-Best-Practices-for-Amazon-S3.yaml"))
    reason = found["ConformancePackStatusReason"]
    assert "does not evaluate 6 of the pack's 14 rules" in reason
    for identifier in ("S3_BUCKET_REPLICATION_ENABLED", "S3_BUCKET_ACL_PROHIBITED"):
        assert f"the managed rule {identifier} is not implemented" in reason
    rules = pack_rules(estate.config, pack)
    assert len(rules) == 14
    good, bad = estate.good, estate.bad
    settle(
        estate,
        pack,
        {
            "s3-bucket-versioning-enabled": {good: C, bad: NC},
            "s3-bucket-public-read-prohibited": {good: C, bad: NC},
            "s3-bucket-ssl-requests-only": {good: C, bad: NC},
            "s3-default-encryption-kms": {good: C, bad: NC},
            "s3-bucket-level-public-access-prohibited": {good: C, bad: NC},
            "s3-bucket-logging-enabled": {good: C, bad: NC},
        },
    )
    by_base = {base_name(r): c for r, c in pack_rules(estate.config, pack).items()}
    assert by_base["s3-bucket-versioning-enabled"] == NC
    assert by_base["s3-bucket-replication-enabled"] == "INSUFFICIENT_DATA"
    assert summary(estate.config, pack) == NC
    assert_scored(estate, pack)
    delete_and_check(estate, pack)


def test_operational_best_practices_for_s3_with_remediation(estate: Estate) -> None:
    pack = "s3-with-remediation"
    found = deployed(
        estate,
        pack,
        template("Operational-Best-Practices-for-Amazon-S3-with-Remediation.yaml"),
        ConformancePackInputParameters=[
            {"ParameterName": "S3TargetBucketNameForEnableLogging", "ParameterValue": estate.logs}
        ],
    )
    reason = found["ConformancePackStatusReason"]
    assert "4 remediation configurations are stored with the pack and not applied" in reason
    assert "S3_BUCKET_REPLICATION_ENABLED is not implemented" in reason
    good, bad = estate.good, estate.bad
    settle(
        estate,
        pack,
        {
            "S3BucketPublicReadProhibited": {good: C, bad: NC},
            "S3BucketSSLRequestsOnly": {good: C, bad: NC},
            "S3BucketServerSideEncryptionEnabled": {good: C},
            "S3BucketLoggingEnabled": {good: C, bad: NC},
        },
    )
    assert summary(estate.config, pack) == NC
    assert_scored(estate, pack)
    delete_and_check(estate, pack)


def test_the_remediation_sample_needs_its_parameter(estate: Estate) -> None:
    body = template("Operational-Best-Practices-for-Amazon-S3-with-Remediation.yaml")
    try:
        estate.config.put_conformance_pack(ConformancePackName="no-target", TemplateBody=body)
    except estate.config.exceptions.ConformancePackTemplateValidationException as exc:
        assert "Parameters: [S3TargetBucketNameForEnableLogging] must have values" in str(exc)
    else:
        raise AssertionError("a missing parameter value must be refused")


def test_security_best_practices_for_lambda(estate: Estate) -> None:
    pack = "lambda-best-practices"
    body = template("Security-Best-Practices-for-Lambda.yaml")
    found = deployed(estate, pack, body)
    assert "does not evaluate 2 of the pack's 4 rules" in found["ConformancePackStatusReason"]
    fn = estate.function
    # The default runtime list predates python3.12.
    settle(
        estate, pack, {"lambda-inside-vpc": {fn: NC}, "lambda-function-settings-check": {fn: NC}}
    )
    assert summary(estate.config, pack) == NC
    assert score(estate.config, pack) == "0.00"

    # The input parameter overrides the template's default.
    estate.config.put_conformance_pack(
        ConformancePackName=pack,
        TemplateBody=body,
        ConformancePackInputParameters=[
            {
                "ParameterName": "LambdaFunctionSettingsCheckParamRuntime",
                "ParameterValue": "python3.12",
            }
        ],
    )
    assert pack_settled(estate.config, pack)["ConformancePackState"] == "UPDATE_COMPLETE"
    settle(estate, pack, {"lambda-function-settings-check": {fn: C}})
    assert score(estate.config, pack) == "50.00"
    delete_and_check(estate, pack)


def test_custom_conformance_pack(estate: Estate) -> None:
    pack = "custom-pack"
    found = deployed(
        estate,
        pack,
        template("custom-conformance-pack.yaml"),
        ConformancePackInputParameters=[
            {"ParameterName": "CustomConfigRuleLambdaArn", "ParameterValue": estate.function_arn}
        ],
    )
    rules = {base_name(r) for r in pack_rules(estate.config, pack)}
    assert rules == {"CustomRuleForEC2", "ConfigRuleForVolumeTags", "CloudTrailEnabled"}
    described = {
        base_name(r["ConfigRuleName"]): r
        for r in estate.config.describe_config_rules()["ConfigRules"]
    }
    assert described["CustomRuleForEC2"]["Source"]["SourceIdentifier"] == estate.function_arn
    if "CUSTOM_LAMBDA" not in KINDS:
        assert "does not evaluate CUSTOM_LAMBDA rules" in found["ConformancePackStatusReason"]
    settle(
        estate,
        pack,
        {"ConfigRuleForVolumeTags": {estate.tagged_volume: C, estate.untagged_volume: NC}},
    )
    assert summary(estate.config, pack) == NC
    delete_and_check(estate, pack)
