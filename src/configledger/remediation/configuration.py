"""The RemediationConfiguration (spec 9.2): what PutRemediationConfigurations accepts,
and the document parameters a run gets from it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from configledger.errors import InvalidParameterValueException

DEFAULT_ATTEMPTS = 5
DEFAULT_RETRY_SECONDS = 60
RESOURCE_ID = "RESOURCE_ID"
ASSUME_ROLE = "AutomationAssumeRole"


def check(config: Mapping[str, Any]) -> None:
    """Refuse what the model cannot express: a parameter must have exactly one of
    ResourceValue and StaticValue, and automatic remediation needs AutomationAssumeRole."""
    name = config["ConfigRuleName"]
    parameters = config.get("Parameters") or {}
    for key, value in parameters.items():
        kinds = [k for k in ("ResourceValue", "StaticValue") if k in value]
        if len(kinds) != 1:
            raise InvalidParameterValueException(
                f"Parameter {key} of the remediation configuration for {name} must have "
                "exactly one of ResourceValue and StaticValue."
            )
        if "StaticValue" in value and not value["StaticValue"].get("Values"):
            raise InvalidParameterValueException(
                f"StaticValue of parameter {key} of the remediation configuration for {name} "
                "must have at least one value."
            )
    if config.get("Automatic") and ASSUME_ROLE not in parameters:
        raise InvalidParameterValueException(
            f"The remediation configuration for {name} is automatic: it requires the "
            f"{ASSUME_ROLE} parameter."
        )


def parameter_values(config: Mapping[str, Any], resource_id: str) -> dict[str, list[str]]:
    """The document parameters of a run on ``resource_id``: RESOURCE_ID substituted."""
    out: dict[str, list[str]] = {}
    for key, value in (config.get("Parameters") or {}).items():
        if "ResourceValue" in value:
            out[key] = [resource_id]
        else:
            out[key] = [str(v) for v in value["StaticValue"].get("Values") or []]
    return out
