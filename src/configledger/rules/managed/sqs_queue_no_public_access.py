"""SQS_QUEUE_NO_PUBLIC_ACCESS (sqs-queue-no-public-access).

The queue's policy (its ``Policy`` attribute) must not allow everyone (``*``) any action
without a condition.
"""

from __future__ import annotations

from configledger.rules.managed._shared import policy_document, principal_is_everyone, statements
from configledger.rules.types import (
    ManagedRule,
    RuleInput,
    Trigger,
    Verdict,
    compliant,
    non_compliant,
)


def evaluate(rule_input: RuleInput) -> Verdict:
    document = policy_document(rule_input.configuration.get("Policy"))
    for statement in statements(document):
        if (
            statement.get("Effect") == "Allow"
            and principal_is_everyone(statement.get("Principal"))
            and not statement.get("Condition")
        ):
            return non_compliant("The queue policy allows public access.")
    return compliant()


RULE = ManagedRule(
    identifier="SQS_QUEUE_NO_PUBLIC_ACCESS",
    default_name="sqs-queue-no-public-access",
    description="Checks that SQS queue policies do not allow public access.",
    resource_types=("AWS::SQS::Queue",),
    triggers=frozenset({Trigger.CHANGE}),
    evaluate=evaluate,
)
