"""What the EC2 types share to be re-described by id.

EC2's records name a resource by its id member (``groupId``, ``instanceId``...) at any
depth of the request or the response (CreateSecurityGroup names its group only in the
response, RunInstances its instances in ``instancesSet.items``), and CreateTags /
DeleteTags by ``resourceId`` whatever the type; an id's prefix says its type.

Not a resource type (it declares no ``RESOURCE_TYPE``), so the registry does not list it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from configledger.recorder.types import Raw, Scope, Targeted, prefixed

# Ids per describe call: EC2 takes up to 1,000 in an id list; a short call is cheaper
# when one unknown id fails it and the engine has to ask for each.
BATCH = 50


def by_id(
    member: str,
    prefix: str,
    describe: Callable[[Any, Scope, list[str]], Iterable[Raw]],
    *not_found: str,
    listing_events: frozenset[str] = frozenset(),
) -> Targeted:
    """The ``Targeted`` of an EC2 type whose ids are ``<prefix>-...`` in ``member``."""
    return Targeted(
        paths=(
            f"requestParameters.**.{member}",
            f"responseElements.**.{member}",
            "requestParameters.**.resourceId",
        ),
        describe=describe,
        not_found=frozenset(not_found),
        key=prefixed(f"{prefix}-"),
        batch=BATCH,
        listing_events=listing_events,
    )
