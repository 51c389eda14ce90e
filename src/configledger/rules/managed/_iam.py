"""What the IAM user rules share: the user's name, and whether IAM knows a thing."""

from __future__ import annotations

from typing import Any

from configledger.rules.types import AwsCallFailed, Environment, RuleInput


def user_name(rule_input: RuleInput) -> str:
    return str(rule_input.configuration.get("userName") or rule_input.item.get("resourceName"))


def optional_call(env: Environment, operation: str, **params: Any) -> dict[str, Any] | None:
    """An IAM read whose NoSuchEntity answer means "there is none" (no login profile)."""
    try:
        return env.call("iam", operation, **params)
    except AwsCallFailed as failure:
        if failure.code == "NoSuchEntity":
            return None
        raise


def has_mfa(env: Environment, name: str) -> bool:
    return bool(env.call("iam", "list_mfa_devices", UserName=name).get("MFADevices"))
