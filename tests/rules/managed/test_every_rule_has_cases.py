"""Every registered managed rule is exercised by named fixtures: a compliant and a
non-compliant item, and a not-applicable one wherever the rule can answer
NOT_APPLICABLE."""

from __future__ import annotations

import inspect
import sys

import pytest

from configledger.rules.managed import MANAGED_RULES
from configledger.rules.types import ComplianceType
from tests.rules.managed import (
    test_ec2_rules,
    test_iam_rules,
    test_more_rules,
    test_s3_rules,
    test_service_rules,
)

ALL_CASES = [
    *test_s3_rules.CASES,
    *test_ec2_rules.CASES,
    *test_iam_rules.CASES,
    *test_service_rules.CASES,
    *test_more_rules.CASES,
]


def test_case_names_are_unique_per_rule() -> None:
    names = [(c.rule, c.name) for c in ALL_CASES]
    assert len(names) == len(set(names))


@pytest.mark.parametrize("identifier", sorted(MANAGED_RULES))
def test_rule_has_named_cases_for_each_answer_it_can_give(identifier: str) -> None:
    module = sys.modules[MANAGED_RULES[identifier].evaluate.__module__]
    expected = {ComplianceType.COMPLIANT, ComplianceType.NON_COMPLIANT}
    if "not_applicable(" in inspect.getsource(module):
        expected.add(ComplianceType.NOT_APPLICABLE)
    assert {c.expected for c in ALL_CASES if c.rule == identifier} == expected
