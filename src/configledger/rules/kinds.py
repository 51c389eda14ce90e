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
from configledger.rules import lambda_rules as _lambda_rules
from configledger.rules import policy_rules as _policy_rules
from configledger.rules.definition import AWS, CUSTOM_LAMBDA, CUSTOM_POLICY, RuleDefinition
from configledger.rules.types import Environment, RuleInput, Verdict


class RuleKind(Protocol):
    def scheduled_once(self, rule: RuleDefinition) -> bool:
        """True when a full pass of ``rule`` is one scheduled notification (its kind
        reports on what it likes, and on stale resources itself); False when the pass
        hands it every resource in scope, one at a time."""
        ...

    def evaluate(
        self, rule: RuleDefinition, item: Mapping[str, Any], env: Environment
    ) -> list[Verdict] | None:
        """The verdicts on ``item`` (or on resources it names), or None when the results
        will be reported later through PutEvaluations. Raises when the evaluation failed
        (``AwsCallFailed`` for an AWS error)."""
        ...

    def depart(
        self, rule: RuleDefinition, item: Mapping[str, Any], env: Environment, *, left_scope: bool
    ) -> bool:
        """Tell the rule that ``item``'s resource was deleted (``item`` is the deletion)
        or left its scope; False when the kind is not told and the engine settles the
        resource NOT_APPLICABLE itself."""
        ...


class ManagedKind:
    def scheduled_once(self, rule: RuleDefinition) -> bool:
        return False

    def depart(
        self, rule: RuleDefinition, item: Mapping[str, Any], env: Environment, *, left_scope: bool
    ) -> bool:
        return False  # AWS settles its managed rules' departed resources itself

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
KINDS[CUSTOM_POLICY] = _policy_rules.PolicyKind()
KINDS[CUSTOM_LAMBDA] = _lambda_rules.LambdaKind()
