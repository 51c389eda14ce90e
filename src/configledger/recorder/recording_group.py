"""Recording group and recording mode: AWS's validation matrix and the echoed form.

DescribeConfigurationRecorders echoes every field of the group, defaults filled in, so
we store the normalised form. The element types were already checked against the
ResourceType enum by the model-driven validator; here are the cross-field rules the
model cannot express (spec 5.2 and 5.3).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from configledger.errors import InvalidRecordingGroupException, ValidationException

ALL_SUPPORTED = "ALL_SUPPORTED_RESOURCE_TYPES"
INCLUSION = "INCLUSION_BY_RESOURCE_TYPES"
EXCLUSION = "EXCLUSION_BY_RESOURCE_TYPES"

# Types that cannot be recorded daily (spec 5.3).
CONTINUOUS_ONLY = frozenset(
    {
        "AWS::Config::ResourceCompliance",
        "AWS::Config::ConformancePackCompliance",
        "AWS::Config::ConfigurationRecorder",
    }
)

_INVALID = "The recording group provided is not valid"


def default_group() -> dict[str, Any]:
    return normalise_group(None)


def normalise_group(group: dict[str, Any] | None) -> dict[str, Any]:
    """Validate ``group`` and return it with every field present, as AWS echoes it."""
    if group is None:
        return _group(True, False, [], [], ALL_SUPPORTED)

    all_supported = bool(group.get("allSupported", False))
    include_global = bool(group.get("includeGlobalResourceTypes", False))
    types = list(dict.fromkeys(group.get("resourceTypes") or []))
    excluded = list(
        dict.fromkeys((group.get("exclusionByResourceTypes") or {}).get("resourceTypes") or [])
    )
    strategy = (group.get("recordingStrategy") or {}).get("useOnly")

    if include_global and not all_supported:
        raise InvalidRecordingGroupException(
            f"{_INVALID}: includeGlobalResourceTypes can be true only when allSupported is true"
        )
    if all_supported:
        if types or excluded or strategy not in (None, ALL_SUPPORTED):
            raise InvalidRecordingGroupException(
                f"{_INVALID}: when allSupported is true, resourceTypes and "
                "exclusionByResourceTypes must be empty and recordingStrategy "
                f"must be {ALL_SUPPORTED}"
            )
        return _group(True, include_global, [], [], ALL_SUPPORTED)
    if excluded:
        if strategy != EXCLUSION:
            raise InvalidRecordingGroupException(
                f"{_INVALID}: exclusionByResourceTypes requires recordingStrategy {EXCLUSION}"
            )
        if types:
            raise InvalidRecordingGroupException(
                f"{_INVALID}: resourceTypes must be empty with {EXCLUSION}"
            )
        return _group(False, False, [], excluded, EXCLUSION)
    if types:
        if strategy not in (None, INCLUSION):
            raise InvalidRecordingGroupException(
                f"{_INVALID}: resourceTypes requires recordingStrategy {INCLUSION}"
            )
        return _group(False, False, types, [], INCLUSION)
    raise InvalidRecordingGroupException(_INVALID)


def _group(
    all_supported: bool, include_global: bool, types: list[str], excluded: list[str], strategy: str
) -> dict[str, Any]:
    return {
        "allSupported": all_supported,
        "includeGlobalResourceTypes": include_global,
        "resourceTypes": types,
        "exclusionByResourceTypes": {"resourceTypes": excluded},
        "recordingStrategy": {"useOnly": strategy},
    }


def normalise_mode(mode: dict[str, Any] | None) -> dict[str, Any]:
    """Validate the recording mode and fill in its defaults."""
    if mode is None:
        return {"recordingFrequency": "CONTINUOUS", "recordingModeOverrides": []}
    overrides = []
    for override in mode.get("recordingModeOverrides") or []:
        if override["recordingFrequency"] == "DAILY":
            _refuse_daily(CONTINUOUS_ONLY.intersection(override["resourceTypes"]))
        overrides.append(
            {
                key: override[key]
                for key in ("description", "resourceTypes", "recordingFrequency")
                if key in override
            }
        )
    return {"recordingFrequency": mode["recordingFrequency"], "recordingModeOverrides": overrides}


def _refuse_daily(types: Iterable[str]) -> None:
    forbidden = sorted(types)
    if forbidden:
        raise ValidationException(
            f"The following resource types can only be recorded continuously: "
            f"{', '.join(forbidden)}"
        )


def check_frequencies(group: dict[str, Any], mode: dict[str, Any]) -> None:
    """Daily recording of a continuous-only type named in an inclusion list is refused.

    Under ALL_SUPPORTED (and EXCLUSION, which is all supported less a list) AWS records
    those types continuously whatever the default frequency; an inclusion list names them
    explicitly, so a DAILY default must be overridden to CONTINUOUS for them.
    """
    if mode["recordingFrequency"] != "DAILY" or group["recordingStrategy"]["useOnly"] != INCLUSION:
        return
    continuous = {
        resource_type
        for override in mode["recordingModeOverrides"]
        if override["recordingFrequency"] == "CONTINUOUS"
        for resource_type in override["resourceTypes"]
    }
    _refuse_daily(CONTINUOUS_ONLY.intersection(group["resourceTypes"]) - continuous)


def editable_types(group: dict[str, Any]) -> tuple[str, list[str]]:
    """For Associate/DisassociateResourceTypes: which list is in force, and its types."""
    strategy = group["recordingStrategy"]["useOnly"]
    if strategy == INCLUSION:
        return "resourceTypes", list(group["resourceTypes"])
    if strategy == EXCLUSION:
        return "exclusionByResourceTypes", list(group["exclusionByResourceTypes"]["resourceTypes"])
    raise ValidationException(
        "AssociateResourceTypes and DisassociateResourceTypes apply only to a recorder whose "
        f"recordingStrategy is {INCLUSION} or {EXCLUSION}; this recorder uses {strategy}."
    )


def with_types(group: dict[str, Any], which: str, types: list[str]) -> dict[str, Any]:
    updated = dict(group)
    if which == "resourceTypes":
        updated["resourceTypes"] = types
    else:
        updated["exclusionByResourceTypes"] = {"resourceTypes": types}
    return updated
