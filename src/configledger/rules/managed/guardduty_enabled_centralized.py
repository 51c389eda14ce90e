"""GUARDDUTY_ENABLED_CENTRALIZED (guardduty-enabled-centralized).

An account rule: GuardDuty must have an enabled detector in the region; with
``CentralMonitoringAccount`` given (and not this account), the detector's administrator
must be that account with an enabled relationship.
"""

from __future__ import annotations

from configledger.rules.types import (
    ACCOUNT,
    AwsCallFailed,
    ManagedRule,
    Param,
    RuleInput,
    Trigger,
    Verdict,
    compliant,
    non_compliant,
)


def evaluate(rule_input: RuleInput) -> Verdict:
    env = rule_input.env
    detectors = env.call("guardduty", "list_detectors").get("DetectorIds", [])
    enabled = [
        d
        for d in detectors
        if env.call("guardduty", "get_detector", DetectorId=d).get("Status") == "ENABLED"
    ]
    if not enabled:
        return non_compliant("GuardDuty is not enabled in this region.")
    central = rule_input.params.get("CentralMonitoringAccount")
    if not central or central == env.account_id:
        return compliant()
    for detector in enabled:
        try:
            answer = env.call("guardduty", "get_administrator_account", DetectorId=detector)
        except AwsCallFailed:
            continue
        administrator = answer.get("Administrator") or {}
        if (
            administrator.get("AccountId") == central
            and administrator.get("RelationshipStatus") == "Enabled"
        ):
            return compliant()
    return non_compliant(f"GuardDuty findings are not centralized in account {central}.")


RULE = ManagedRule(
    identifier="GUARDDUTY_ENABLED_CENTRALIZED",
    default_name="guardduty-enabled-centralized",
    description="Checks that GuardDuty is enabled, and centralized when an account is given.",
    resource_types=(ACCOUNT,),
    triggers=frozenset({Trigger.PERIODIC}),
    evaluate=evaluate,
    parameters=(Param("CentralMonitoringAccount", "String"),),
)
