"""The conformance corpus: every case in ``conformance/`` is a policy, an AWS Config item
and the expected overall and per-rule statuses (and, where given, the failure messages).
Each case runs through our engine and, when ``cfn-guard-rs`` is installed, through the
reference engine (cfn-guard) as a second opinion on the expectation itself."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from configledger.rules import guard
from configledger.rules.types import ComplianceType

CORPUS = Path(__file__).parent / "conformance"
CASE_FILES = sorted(CORPUS.glob("*.yaml"))


def load(path: Path) -> dict[str, Any]:
    case: dict[str, Any] = yaml.safe_load(path.read_text())
    return case


@pytest.mark.parametrize("path", CASE_FILES, ids=[p.stem for p in CASE_FILES])
def test_case(path: Path) -> None:
    case = load(path)
    result = guard.evaluate(guard.parse(case["policy"]), case["input"])
    expected = case["expected"]
    assert {name: str(status) for name, status in result.rules.items()} == expected["rules"]
    assert str(result.status) == expected["status"]
    if "messages" in expected:
        assert result.messages == expected["messages"]
    if result.status is guard.Status.FAIL:
        assert result.failures, "a failing policy names its failing clauses"


@pytest.mark.parametrize("path", CASE_FILES, ids=[p.stem for p in CASE_FILES])
def test_case_against_reference_engine(path: Path) -> None:
    reference = pytest.importorskip("cfn_guard_rs.cfn_guard_rs")
    case = load(path)
    if "reference_differs" in case:
        pytest.skip(f"known difference: {case['reference_differs']}")
    report = json.loads(reference.run_checks_rs(json.dumps(case["input"]), case["policy"], False))
    rules = {name: "PASS" for name in report["compliant"]}
    rules |= {name: "SKIP" for name in report["not_applicable"]}
    rules |= {clause["Rule"]["name"]: "FAIL" for clause in report["not_compliant"]}
    assert rules == case["expected"]["rules"]
    assert report["status"] == case["expected"]["status"]


def test_corpus_is_large_enough_and_covers_every_outcome() -> None:
    cases = [load(path) for path in CASE_FILES]
    assert len(cases) >= 60
    statuses = {case["expected"]["status"] for case in cases}
    assert statuses == {"PASS", "FAIL", "SKIP"}


@pytest.mark.parametrize("path", CASE_FILES, ids=[p.stem for p in CASE_FILES])
def test_case_maps_to_aws_config_compliance(path: Path) -> None:
    case = load(path)
    result = guard.evaluate(guard.parse(case["policy"]), case["input"])
    verdict = guard.verdict(result)
    expected = {
        "PASS": ComplianceType.COMPLIANT,
        "FAIL": ComplianceType.NON_COMPLIANT,
        "SKIP": ComplianceType.NOT_APPLICABLE,
    }[case["expected"]["status"]]
    assert verdict.compliance is expected
    if expected is ComplianceType.NON_COMPLIANT:
        assert verdict.annotation
        assert len(verdict.annotation) <= guard.ANNOTATION_LIMIT
        for message in case["expected"].get("messages", []):
            assert " ".join(message.split())[:100] in verdict.annotation
    else:
        assert verdict.annotation is None
