"""Templates AWS refuses and templates ConfigLedger deploys only in part, with AWS's
answers: a template that does not parse, declares no rule, holds another resource type,
uses an intrinsic that needs a stack, lacks a parameter value or is too large is
refused at PutConformancePack and writes nothing; a rule AWS would refuse fails the
pack (CREATE_FAILED naming it, no rule written); a rule AWS knows and ConfigLedger does
not evaluate deploys and is named in the status reason. Templates also come from S3
and from SSM documents in the sandbox.
"""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.conformance.helpers import error_code, pack_rules, sandbox, summary
from tests.conftest import (
    LiveServer,
    config_client,
    pack_deleted,
    pack_settled,
    start_custom_recording,
)
from tests.helpers import row_counts

RULE = """
  {logical}:
    Type: AWS::Config::ConfigRule
    Properties:
      ConfigRuleName: {name}
      Source: {{Owner: AWS, SourceIdentifier: {identifier}}}
"""
PROCESS = "Resources:" + RULE.format(
    logical="Check", name="check", identifier="AWS_CONFIG_PROCESS_CHECK"
)


BAD_TEMPLATES = {
    "unparseable": ("Resources:\n  A: [unclosed", "invalid YAML at line"),
    "not an object": ("- a\n- b\n", "not a JSON or YAML object"),
    "no resources": ("Parameters: {}\n", "At least one Resources member"),
    "no rules": (
        "Resources:\n  R:\n    Type: AWS::Config::RemediationConfiguration\n"
        "    Properties: {ConfigRuleName: x}\n",
        "declares no AWS::Config::ConfigRule",
    ),
    "another resource type": (
        PROCESS + "  Bucket:\n    Type: AWS::S3::Bucket\n",
        "unsupported type AWS::S3::Bucket",
    ),
    "unknown tag": ("Resources:\n  A: !Magic x\n", "unknown tag !Magic"),
    "duplicate key": (PROCESS + "  Check:\n    Type: AWS::Config::ConfigRule\n", "duplicate key"),
    "GetAtt": (
        PROCESS.replace("name: check", "name: check") + "  Other:\n"
        "    Type: AWS::Config::ConfigRule\n    Properties:\n"
        "      Description: !GetAtt Check.Arn\n"
        "      Source: {Owner: AWS, SourceIdentifier: AWS_CONFIG_PROCESS_CHECK}\n",
        "Fn::GetAtt",
    ),
    "unknown Ref": (
        PROCESS.replace("ConfigRuleName: check", "ConfigRuleName: !Ref Nowhere"),
        "Unresolved resource dependencies [Nowhere]",
    ),
    "parameter without a value": (
        "Parameters:\n  Needed: {Type: String}\n" + PROCESS,
        "Parameters: [Needed] must have values",
    ),
    "unknown condition": (
        PROCESS.replace(
            "    Type: AWS::Config::ConfigRule",
            "    Condition: nope\n    Type: AWS::Config::ConfigRule",
        ),
        "unresolved condition dependency nope",
    ),
    "alias": (
        PROCESS.replace("  Check:\n", "  Check: &first\n") + "  Again: *first\n",
        "YAML aliases are not allowed",
    ),
    "deep nesting": (
        PROCESS + "      Description: " + "[" * 2000 + "]" * 2000 + "\n",
        "nest",
    ),
    "too many rules": (
        "Resources:"
        + "".join(
            RULE.format(logical=f"R{i}", name=f"r{i}", identifier="AWS_CONFIG_PROCESS_CHECK")
            for i in range(131)
        ),
        "Number of resources provided in the template exceeds the allowed limit",
    ),
}


@pytest.mark.parametrize("case", sorted(BAD_TEMPLATES))
def test_bad_templates_are_refused_and_write_nothing(server: LiveServer, case: str) -> None:
    config = config_client(server)
    start_custom_recording(config)
    account = config.describe_configuration_recorders()["ConfigurationRecorders"][0]["arn"]
    account = account.split(":")[4]
    before = row_counts(server.db_url, account)
    body, expected = BAD_TEMPLATES[case]
    with pytest.raises(ClientError) as caught:
        config.put_conformance_pack(ConformancePackName="bad", TemplateBody=body)
    assert error_code(caught.value) == "ConformancePackTemplateValidationException"
    message = caught.value.response["Error"]["Message"]
    assert message.startswith("Invalid conformance pack template provided. Errors found: [")
    assert expected in message
    assert row_counts(server.db_url, account) == before


def test_bad_requests_get_awss_errors(server: LiveServer) -> None:
    config = config_client(server)
    start_custom_recording(config)
    unchecked = config_client(server, validate=False)
    cases: list[tuple[dict[str, Any], str]] = [
        ({"TemplateBody": "x" * 51_201}, "ValidationException"),
        ({}, "ValidationException"),
        ({"TemplateBody": PROCESS, "TemplateS3Uri": "s3://b/k"}, "ValidationException"),
        ({"TemplateS3Uri": "https://b/k"}, "ValidationException"),
        ({"TemplateS3Uri": "s3://only-a-bucket"}, "InvalidParameterValueException"),
        (
            {
                "TemplateBody": PROCESS,
                "ConformancePackInputParameters": [
                    {"ParameterName": "Unknown", "ParameterValue": "x"}
                ],
            },
            "ConformancePackTemplateValidationException",
        ),
    ]
    for extra, code in cases:
        with pytest.raises(ClientError) as caught:
            unchecked.put_conformance_pack(ConformancePackName="bad", **extra)
        assert error_code(caught.value) == code, extra
    with pytest.raises(ClientError) as caught:
        unchecked.put_conformance_pack(
            ConformancePackName="1-starts-with-a-digit", TemplateBody=PROCESS
        )
    assert error_code(caught.value) == "ValidationException"
    assert config.describe_conformance_packs()["ConformancePackDetails"] == []
    missing = "NoSuchConformancePackException"
    for call, code in [
        (lambda: config.describe_conformance_packs(ConformancePackNames=["nope"]), missing),
        (
            lambda: config.get_conformance_pack_compliance_summary(ConformancePackNames=["nope"]),
            missing,
        ),
        (lambda: config.describe_conformance_pack_compliance(ConformancePackName="n"), missing),
        (lambda: config.get_conformance_pack_compliance_details(ConformancePackName="n"), missing),
        (
            lambda: config.describe_conformance_packs(NextToken="forged"),
            "InvalidNextTokenException",
        ),
        (lambda: unchecked.describe_conformance_packs(Limit=21), "ValidationException"),
    ]:
        with pytest.raises(ClientError) as caught:
            call()
        assert error_code(caught.value) == code


def test_a_rule_aws_would_refuse_fails_the_pack(server: LiveServer) -> None:
    config = config_client(server)
    start_custom_recording(config)
    body = PROCESS + RULE.format(logical="Bogus", name="bogus", identifier="NOT_A_MANAGED_RULE")
    config.put_conformance_pack(ConformancePackName="bogus", TemplateBody=body)
    found = pack_settled(config, "bogus")
    assert found["ConformancePackState"] == "CREATE_FAILED"
    reason = found["ConformancePackStatusReason"]
    assert "Resource Bogus (AWS::Config::ConfigRule)" in reason
    assert "The sourceIdentifier NOT_A_MANAGED_RULE is invalid" in reason
    assert config.describe_config_rules()["ConfigRules"] == []
    assert pack_rules(config, "bogus") == {}
    assert summary(config, "bogus") == "INSUFFICIENT_DATA"

    # Bad parameters of a managed rule, and a rule property CloudFormation does not know.
    bad_parameters = PROCESS + (
        "  Keys:\n    Type: AWS::Config::ConfigRule\n    Properties:\n"
        "      InputParameters: {maxAccessKeyAge: ninety}\n"
        "      Source: {Owner: AWS, SourceIdentifier: ACCESS_KEYS_ROTATED}\n"
    )
    unknown_property = PROCESS + (
        "  Odd:\n    Type: AWS::Config::ConfigRule\n    Properties:\n"
        "      Colour: blue\n"
        "      Source: {Owner: AWS, SourceIdentifier: AWS_CONFIG_PROCESS_CHECK}\n"
    )
    bad_frequency = PROCESS + (
        "  Often:\n    Type: AWS::Config::ConfigRule\n    Properties:\n"
        "      MaximumExecutionFrequency: Every_Minute\n"
        "      Source: {Owner: AWS, SourceIdentifier: AWS_CONFIG_PROCESS_CHECK}\n"
    )
    for body, expected in [
        (bad_parameters, "maxAccessKeyAge"),
        (unknown_property, "unsupported properties Colour"),
        (bad_frequency, "maximumExecutionFrequency"),
    ]:
        # An update of a failed creation is a new creation.
        config.put_conformance_pack(ConformancePackName="bogus", TemplateBody=body)
        found = pack_settled(config, "bogus")
        assert found["ConformancePackState"] == "CREATE_FAILED", body
        assert expected in found["ConformancePackStatusReason"]
        assert config.describe_config_rules()["ConfigRules"] == []

    # Fixed, it deploys; a failed update keeps what was deployed.
    config.put_conformance_pack(ConformancePackName="bogus", TemplateBody=PROCESS)
    assert pack_settled(config, "bogus")["ConformancePackState"] == "CREATE_COMPLETE"
    deployed = set(pack_rules(config, "bogus"))
    config.put_conformance_pack(ConformancePackName="bogus", TemplateBody=bad_parameters)
    found = pack_settled(config, "bogus")
    assert found["ConformancePackState"] == "UPDATE_FAILED"
    assert "Conformance pack update failed" in found["ConformancePackStatusReason"]
    assert set(pack_rules(config, "bogus")) == deployed
    assert {r["ConfigRuleName"] for r in config.describe_config_rules()["ConfigRules"]} == deployed


def test_a_pack_needs_a_recorder_and_a_free_rule_name(server: LiveServer) -> None:
    config = config_client(server)
    config.put_conformance_pack(ConformancePackName="early", TemplateBody=PROCESS)
    found = pack_settled(config, "early")
    assert found["ConformancePackState"] == "CREATE_FAILED"
    assert "Create a configuration recorder first" in found["ConformancePackStatusReason"]
    start_custom_recording(config)
    config.put_conformance_pack(ConformancePackName="early", TemplateBody=PROCESS)
    assert pack_settled(config, "early")["ConformancePackState"] == "CREATE_COMPLETE"


def test_rules_configledger_does_not_evaluate_deploy_and_are_named(server: LiveServer) -> None:
    config = config_client(server)
    start_custom_recording(config)
    body = PROCESS + (
        "  Replication:\n    Type: AWS::Config::ConfigRule\n    Properties:\n"
        "      ConfigRuleName: s3-bucket-replication-enabled\n"
        "      Scope: {ComplianceResourceTypes: [AWS::S3::Bucket]}\n"
        "      Source: {Owner: AWS, SourceIdentifier: S3_BUCKET_REPLICATION_ENABLED}\n"
        "  Certificates:\n    Type: AWS::Config::ConfigRule\n    Properties:\n"
        "      ConfigRuleName: acm-tagged\n"
        "      Scope: {ComplianceResourceTypes: [AWS::ACM::Certificate]}\n"
        "      InputParameters: {tag1Key: Owner}\n"
        "      Source: {Owner: AWS, SourceIdentifier: REQUIRED_TAGS}\n"
        "  Remediate:\n    Type: AWS::Config::RemediationConfiguration\n    Properties:\n"
        "      ConfigRuleName: s3-bucket-replication-enabled\n"
        "      TargetType: SSM_DOCUMENT\n      TargetId: AWS-EnableS3BucketReplication\n"
        "      Automatic: false\n"
    )
    config.put_conformance_pack(ConformancePackName="partial", TemplateBody=body)
    found = pack_settled(config, "partial")
    assert found["ConformancePackState"] == "CREATE_COMPLETE"
    reason = found["ConformancePackStatusReason"]
    pack_id = found["ConformancePackId"]
    assert "does not evaluate 2 of the pack's 3 rules" in reason
    assert (
        f"s3-bucket-replication-enabled-{pack_id} (the managed rule "
        "S3_BUCKET_REPLICATION_ENABLED is not implemented)"
    ) in reason
    assert f"acm-tagged-{pack_id} (ConfigLedger does not record AWS::ACM::Certificate)" in reason
    assert "1 remediation configuration is stored with the pack and not applied" in reason
    rules = {r["ConfigRuleName"]: r for r in config.describe_config_rules()["ConfigRules"]}
    assert rules[f"s3-bucket-replication-enabled-{pack_id}"]["Source"] == {
        "Owner": "AWS",
        "SourceIdentifier": "S3_BUCKET_REPLICATION_ENABLED",
    }
    assert set(pack_rules(config, "partial").values()) == {"INSUFFICIENT_DATA"}

    # An AWS identifier with a parameter its catalogue entry does not have still fails.
    wrong = body.replace(
        "Source: {Owner: AWS, SourceIdentifier: S3_BUCKET_REPLICATION_ENABLED}",
        "InputParameters: {colour: blue}\n"
        "      Source: {Owner: AWS, SourceIdentifier: S3_BUCKET_REPLICATION_ENABLED}",
    )
    config.put_conformance_pack(ConformancePackName="wrong", TemplateBody=wrong)
    found = pack_settled(config, "wrong")
    assert found["ConformancePackState"] == "CREATE_FAILED"
    assert (
        "Unknown parameters provided in the inputParameters" in found["ConformancePackStatusReason"]
    )


def test_templates_from_s3_and_ssm(server: LiveServer) -> None:
    config = config_client(server)
    start_custom_recording(config)
    account = config.describe_configuration_recorders()["ConfigurationRecorders"][0]["arn"]
    account = account.split(":")[4]
    s3 = sandbox(server, account, "s3")
    s3.create_bucket(Bucket=f"templates-{account}")
    s3.put_object(Bucket=f"templates-{account}", Key="packs/process.yaml", Body=PROCESS.encode())
    s3.put_object(Bucket=f"templates-{account}", Key="big.yaml", Body=b"#" * (300 * 1024 + 1))
    config.put_conformance_pack(
        ConformancePackName="from-s3", TemplateS3Uri=f"s3://templates-{account}/packs/process.yaml"
    )
    assert pack_settled(config, "from-s3")["ConformancePackState"] == "CREATE_COMPLETE"
    assert len(pack_rules(config, "from-s3")) == 1
    invalid = "ConformancePackTemplateValidationException"
    for uri, code, text in [
        (f"s3://templates-{account}/missing.yaml", invalid, "does not exist"),
        (f"s3://no-such-bucket-{account}/p.yaml", invalid, "does not exist"),
        (f"s3://templates-{account}/big.yaml", invalid, "300 KB"),
    ]:
        with pytest.raises(ClientError) as caught:
            config.put_conformance_pack(ConformancePackName="bad-s3", TemplateS3Uri=uri)
        assert error_code(caught.value) == code
        assert text in caught.value.response["Error"]["Message"]

    # The sandbox's SSM keeps only documents with a schemaVersion, which a pack template
    # has not: the SSM source is shown by its error for a document that does not exist.
    with pytest.raises(ClientError) as caught:
        config.put_conformance_pack(
            ConformancePackName="bad-ssm", TemplateSSMDocumentDetails={"DocumentName": "nope-doc"}
        )
    assert error_code(caught.value) == "ConformancePackTemplateValidationException"


def test_listing_paging_and_scores(server: LiveServer) -> None:
    config = config_client(server)
    start_custom_recording(config)
    names = [f"pack-{i:02d}" for i in range(23)]
    for name in names:
        config.put_conformance_pack(ConformancePackName=name, TemplateBody=PROCESS)
    for name in names:
        assert pack_settled(config, name)["ConformancePackState"] == "CREATE_COMPLETE"
    first = config.describe_conformance_packs()
    assert [p["ConformancePackName"] for p in first["ConformancePackDetails"]] == names[:20]
    second = config.describe_conformance_packs(NextToken=first["NextToken"])
    assert [p["ConformancePackName"] for p in second["ConformancePackDetails"]] == names[20:]
    assert "NextToken" not in second
    assert all(p["Type"] == "CUSTOM" for p in first["ConformancePackDetails"])
    assert (
        config.describe_conformance_packs(Filters={"Types": ["MANAGED"]})["ConformancePackDetails"]
        == []
    )
    statuses = config.describe_conformance_pack_status(Limit=5)
    assert len(statuses["ConformancePackStatusDetails"]) == 5 and "NextToken" in statuses

    # Scores: give two packs a result each through their process checks.
    account = config.describe_configuration_recorders()["ConfigurationRecorders"][0]["arn"]
    account = account.split(":")[4]
    from tests.conformance.test_packs import external

    external(config, next(iter(pack_rules(config, "pack-03"))), account, "NON_COMPLIANT")
    external(config, next(iter(pack_rules(config, "pack-07"))), account, "COMPLIANT")
    chosen = ["pack-01", "pack-03", "pack-07"]
    ascending = config.list_conformance_pack_compliance_scores(
        Filters={"ConformancePackNames": chosen}, SortBy="SCORE"
    )["ConformancePackComplianceScores"]
    assert [(s["ConformancePackName"], s["Score"]) for s in ascending] == [
        ("pack-03", "0.00"),
        ("pack-07", "100.00"),
        ("pack-01", "INSUFFICIENT_DATA"),
    ]
    descending = config.list_conformance_pack_compliance_scores(
        Filters={"ConformancePackNames": chosen}, SortBy="SCORE", SortOrder="DESCENDING"
    )["ConformancePackComplianceScores"]
    assert [s["ConformancePackName"] for s in descending] == ["pack-01", "pack-07", "pack-03"]
    by_name = config.list_conformance_pack_compliance_scores(SortOrder="DESCENDING", Limit=2)
    assert [s["ConformancePackName"] for s in by_name["ConformancePackComplianceScores"]] == [
        "pack-22",
        "pack-21",
    ]
    summaries = config.get_conformance_pack_compliance_summary(ConformancePackNames=chosen)
    assert {
        s["ConformancePackName"]: s["ConformancePackComplianceStatus"]
        for s in summaries["ConformancePackComplianceSummaryList"]
    } == {"pack-01": "INSUFFICIENT_DATA", "pack-03": "NON_COMPLIANT", "pack-07": "COMPLIANT"}
    with pytest.raises(ClientError) as caught:
        config.get_conformance_pack_compliance_details(
            ConformancePackName="pack-03", Filters={"ConfigRuleNames": ["not-in-pack"]}
        )
    assert error_code(caught.value) == "NoSuchConfigRuleInConformancePackException"
    for filters in ({"ComplianceType": "INSUFFICIENT_DATA"}, {"ResourceIds": ["x"]}):
        with pytest.raises(ClientError) as caught:
            config.get_conformance_pack_compliance_details(
                ConformancePackName="pack-03", Filters=filters
            )
        assert error_code(caught.value) == "InvalidParameterValueException"


def test_fifty_packs_per_account_and_region(server: LiveServer) -> None:
    config = config_client(server)
    start_custom_recording(config)
    for i in range(50):
        config.put_conformance_pack(ConformancePackName=f"quota-{i:02d}", TemplateBody=PROCESS)
    for i in range(50):
        pack_settled(config, f"quota-{i:02d}")
    with pytest.raises(ClientError) as caught:
        config.put_conformance_pack(ConformancePackName="one-too-many", TemplateBody=PROCESS)
    assert error_code(caught.value) == "MaxNumberOfConformancePacksExceededException"
    assert "maximum number of conformance packs: 50" in str(caught.value)
    # Updating a pack that exists is no new pack; after a deletion there is room again.
    config.put_conformance_pack(ConformancePackName="quota-00", TemplateBody=PROCESS)
    assert pack_settled(config, "quota-00")["ConformancePackState"] == "UPDATE_COMPLETE"
    config.delete_conformance_pack(ConformancePackName="quota-01")
    pack_deleted(config, "quota-01")
    config.put_conformance_pack(ConformancePackName="one-too-many", TemplateBody=PROCESS)
    assert pack_settled(config, "one-too-many")["ConformancePackState"] == "CREATE_COMPLETE"
    assert len(config.describe_config_rules()["ConfigRules"]) == 25  # the first page of 50
