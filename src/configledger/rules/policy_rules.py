"""CUSTOM_POLICY rules: a Guard 2 policy evaluated against each in-scope item.

AWS Config hands Guard the configuration item itself (its ``resourceType``,
``configuration``, ``supplementaryConfiguration`` and ``tags``), which is the stream
form the engine already passes to every kind. A policy is parsed once per distinct text
and shared: parsed policies are immutable. PutConfigRule refuses a policy that does not
parse, naming the line and column, so a stored Guard rule always parses here.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from typing import Any

from configledger.errors import InvalidParameterValueException
from configledger.rules import guard
from configledger.rules.definition import CUSTOM_POLICY, RuleDefinition
from configledger.rules.types import Environment, Verdict

_CACHE_LIMIT = 256


def policy_text(document: Mapping[str, Any]) -> str | None:
    """The PolicyText of a stored or normalised rule document (None if not a Guard rule)."""
    source = document.get("Source") or {}
    if source.get("Owner") != CUSTOM_POLICY:
        return None
    details = source.get("CustomPolicyDetails") or {}
    text = details.get("PolicyText")
    return text if isinstance(text, str) else None


def check_policy(text: str) -> guard.Policy:
    """The parsed policy, or AWS's InvalidParameterValueException naming where it breaks."""
    try:
        return guard.parse(text)
    except guard.GuardSyntaxError as error:
        raise InvalidParameterValueException(
            f"The policy text is not valid Guard: line {error.line}, column {error.column}: "
            f"{error.message}"
        ) from None


class PolicyKind:
    """The registry's kind for ``CUSTOM_POLICY``."""

    def scheduled_once(self, rule: RuleDefinition) -> bool:
        return False  # Guard judges each resource in scope

    def depart(
        self, rule: RuleDefinition, item: Mapping[str, Any], env: Environment, *, left_scope: bool
    ) -> bool:
        return False  # a policy is not run on departed resources: they are NOT_APPLICABLE

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._parsed: dict[str, guard.Policy] = {}

    def policy(self, text: str) -> guard.Policy:
        with self._lock:
            found = self._parsed.get(text)
        if found is not None:
            return found
        parsed = guard.parse(text)  # stored rules were checked when they were put
        with self._lock:
            if len(self._parsed) >= _CACHE_LIMIT:
                self._parsed.clear()
            self._parsed[text] = parsed
        return parsed

    def evaluate(
        self, rule: RuleDefinition, item: Mapping[str, Any], env: Environment
    ) -> list[Verdict] | None:
        text = policy_text(rule.document)
        if text is None:
            return None
        return [guard.verdict(guard.evaluate(self.policy(text), item))]
