"""How each kind of rule evaluates one item: a registry keyed by the rule's Source.Owner.

Managed rules (``AWS``) evaluate in-process with their pure function. Other kinds
(``CUSTOM_LAMBDA``, ``CUSTOM_POLICY``) plug in here with the same signature; a kind that
answers later (a Lambda function reporting through PutEvaluations with the result token
it was given) returns None, and its results arrive through PutEvaluations. An owner with
no registered kind is stored and described, and not evaluated.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, Protocol

from configledger.clock import iso_ms
from configledger.rules.definition import AWS, RuleDefinition
from configledger.rules.types import Environment, RuleInput, Verdict


class RuleKind(Protocol):
    # True for kinds AWS invokes once per scheduled notification (a Lambda function gets
    # ``scheduled_notification(...)`` as its item and reports on what it likes); False
    # for kinds that a full pass hands every resource in scope, one at a time.
    scheduled_once: bool

    def evaluate(
        self, rule: RuleDefinition, item: Mapping[str, Any], env: Environment
    ) -> list[Verdict] | None:
        """The verdicts on ``item`` (or on resources it names), or None when the results
        will be reported later through PutEvaluations. Raises when the evaluation failed
        (``AwsCallFailed`` for an AWS error)."""
        ...


class ManagedKind:
    scheduled_once = False

    def evaluate(
        self, rule: RuleDefinition, item: Mapping[str, Any], env: Environment
    ) -> list[Verdict] | None:
        managed = rule.managed
        if managed is None:  # the process check: PutExternalEvaluation only
            return None
        answer = managed.evaluate(RuleInput(item=item, params=rule.params, env=env))
        if isinstance(answer, Verdict):
            return [answer]
        return list(_verdicts(answer))


def _verdicts(answer: Iterable[Verdict]) -> Iterable[Verdict]:
    for verdict in answer:
        if not isinstance(verdict, Verdict):
            raise TypeError(f"a rule returned {type(verdict).__name__}, not a Verdict")
        yield verdict


def scheduled_notification(account_id: str, now_ms: int) -> dict[str, Any]:
    """The invoking event of a scheduled evaluation (spec 7.3)."""
    return {
        "awsAccountId": account_id,
        "notificationCreationTime": iso_ms(now_ms),
        "messageType": "ScheduledNotification",
        "recordVersion": "1.0",
    }


KINDS: dict[str, RuleKind] = {AWS: ManagedKind()}
