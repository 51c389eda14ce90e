"""A pack's compliance (spec 7.5) and compliance score (spec 2.7), from its rules' counts.

A rule is NON_COMPLIANT when any of its current results is, COMPLIANT when none is and
one is compliant, INSUFFICIENT_DATA otherwise. The pack follows the same order over its
rules: NON_COMPLIANT if any rule is, COMPLIANT if every evaluated rule is compliant,
INSUFFICIENT_DATA when no rule has an applicable result. The score is the share of
compliant (rule, resource) pairs among the applicable ones, NOT_APPLICABLE left out.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from configledger.rules.compliance import INSUFFICIENT_DATA, roll_up_types
from configledger.store.evaluations import COMPLIANT, NON_COMPLIANT

# (non-compliant resources, compliant resources) of one rule.
Counts = tuple[int, int]


def rule_compliance(counts: Counts) -> str:
    non, ok = counts
    if non:
        return NON_COMPLIANT
    return COMPLIANT if ok else INSUFFICIENT_DATA


def pack_compliance(rule_names: Iterable[str], counts: Mapping[str, Counts]) -> str:
    return roll_up_types(rule_compliance(counts.get(name, (0, 0))) for name in rule_names)


def score(rule_names: Iterable[str], counts: Mapping[str, Counts]) -> str:
    """The percentage with two decimals (``"85.71"``), or INSUFFICIENT_DATA."""
    non = ok = 0
    for name in rule_names:
        rule_non, rule_ok = counts.get(name, (0, 0))
        non += rule_non
        ok += rule_ok
    if non + ok == 0:
        return INSUFFICIENT_DATA
    return f"{100 * ok / (non + ok):.2f}"


def rule_tally(rule_names: Iterable[str], counts: Mapping[str, Counts]) -> tuple[int, int, int]:
    """(compliant rules, non-compliant rules, all rules) of a pack."""
    found = [rule_compliance(counts.get(name, (0, 0))) for name in rule_names]
    return found.count(COMPLIANT), found.count(NON_COMPLIANT), len(found)
