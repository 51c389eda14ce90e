"""The library's surface as the rules engine uses it: results, failures and the mapping
to AWS Config compliance."""

from __future__ import annotations

from typing import Any

from configledger.rules import guard
from configledger.rules.types import ComplianceType


def volume(**configuration: Any) -> dict[str, Any]:
    return {
        "resourceType": "AWS::EC2::Volume",
        "resourceId": "vol-1",
        "configuration": {"encrypted": True, "volumeType": "gp3", "size": 8, **configuration},
        "supplementaryConfiguration": {},
        "tags": {},
    }


POLICY = guard.parse(
    "rule encrypted when resourceType == 'AWS::EC2::Volume' {\n"
    "    configuration.encrypted == true << volume must be encrypted >>\n"
    "}\n"
    "rule typed when resourceType == 'AWS::EC2::Volume' {\n"
    "    configuration.volumeType in ['gp3', 'io2']\n"
    "}\n"
    "rule buckets when resourceType == 'AWS::S3::Bucket' {\n"
    "    configuration.name exists\n"
    "}\n"
)


def test_pass_and_skip_is_compliant_without_annotation() -> None:
    result = guard.evaluate(POLICY, volume())
    assert result.rules == {
        "encrypted": guard.Status.PASS,
        "typed": guard.Status.PASS,
        "buckets": guard.Status.SKIP,
    }
    assert result.status is guard.Status.PASS
    assert result.failures == ()
    verdict = guard.verdict(result)
    assert verdict.compliance is ComplianceType.COMPLIANT
    assert verdict.annotation is None


def test_failures_carry_rule_clause_location_and_messages() -> None:
    result = guard.evaluate(POLICY, volume(encrypted=False, volumeType="gp2"))
    assert result.status is guard.Status.FAIL
    assert [f.rule for f in result.failures] == ["encrypted", "typed"]
    encrypted, typed = result.failures
    assert (encrypted.line, encrypted.column) == (2, 5)
    assert encrypted.message == "volume must be encrypted"
    assert encrypted.detail == (
        "configuration.encrypted == true failed: /configuration/encrypted is false"
    )
    assert typed.message is None
    assert typed.detail.endswith('/configuration/volumeType is "gp2"')
    # A custom message is what users see; without one, the detail.
    assert result.messages == ["volume must be encrypted", typed.detail]
    verdict = guard.verdict(result)
    assert verdict.compliance is ComplianceType.NON_COMPLIANT
    assert verdict.annotation == f"volume must be encrypted; {typed.detail}"


def test_all_skipped_is_not_applicable() -> None:
    item = {"resourceType": "AWS::IAM::Role", "configuration": {}, "tags": {}}
    result = guard.evaluate(POLICY, item)
    assert result.status is guard.Status.SKIP
    assert guard.verdict(result).compliance is ComplianceType.NOT_APPLICABLE


def test_annotation_is_cut_to_aws_configs_limit() -> None:
    policy = guard.parse(
        "rule r {\n"
        f"    configuration.size > 100 << {'a' * 200} >>\n"
        f"    configuration.encrypted == false << {'b' * 200} >>\n"
        "}\n"
    )
    annotation = guard.verdict(guard.evaluate(policy, volume())).annotation
    assert annotation is not None
    assert len(annotation) == guard.ANNOTATION_LIMIT
    assert annotation.startswith("a" * 200 + "; ")
    assert annotation.endswith("...")


def test_repeated_messages_are_reported_once_and_whitespace_is_folded() -> None:
    policy = guard.parse(
        "rule r {\n"
        "    configuration.size > 100 <<\n        too\n        small\n    >>\n"
        "    configuration.size > 50 << too small >>\n"
        "}\n"
    )
    result = guard.evaluate(policy, volume())
    assert len(result.failures) == 2
    assert guard.verdict(result).annotation == "too small"


def test_a_policy_is_reusable_and_results_do_not_leak_between_items() -> None:
    policy = guard.parse("let size = configuration.size\nrule r {\n    %size >= 10\n}\n")
    statuses = [guard.evaluate(policy, volume(size=size)).status for size in (5, 50, 5, 50)]
    assert statuses == [guard.Status.FAIL, guard.Status.PASS] * 2


def test_deleted_item_without_configuration_does_not_raise() -> None:
    item = {"resourceType": "AWS::EC2::Volume", "configuration": None, "tags": {}}
    result = guard.evaluate(POLICY, item)
    assert result.rules["encrypted"] is guard.Status.FAIL
    assert "is a null" in result.failures[0].detail


def test_comments_only_policy_has_no_rules_and_skips() -> None:
    policy = guard.parse("# nothing to check yet\n")
    assert policy.rules == ()
    assert guard.evaluate(policy, volume()).status is guard.Status.SKIP


def test_rule_used_by_others_is_evaluated_once_and_reports_its_own_failures() -> None:
    policy = guard.parse(
        "rule base { configuration.size > 100 << too small >> }\n"
        "rule a when base { configuration.encrypted == true }\n"
        "rule b {\n    base\n}\n"
    )
    result = guard.evaluate(policy, volume())
    assert result.rules == {
        "base": guard.Status.FAIL,
        "a": guard.Status.SKIP,
        "b": guard.Status.FAIL,
    }
    assert [(f.rule, f.describe()) for f in result.failures] == [
        ("base", "too small"),
        ("b", "rule base did not pass"),
    ]
