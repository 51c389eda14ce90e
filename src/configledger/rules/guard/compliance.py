"""A Guard result in AWS Config's terms.

Every rule PASS (or some PASS and the rest SKIP) -> COMPLIANT; any rule FAIL ->
NON_COMPLIANT, annotated with the custom messages of the failing clauses (or, without
one, the clause and what it found); every rule SKIP (no ``when`` matched the item) ->
NOT_APPLICABLE. AWS Config caps annotations at 256 characters.
"""

from __future__ import annotations

from ..types import Verdict, compliant, non_compliant, not_applicable
from .evaluate import GuardResult, Status

ANNOTATION_LIMIT = 256


def verdict(result: GuardResult) -> Verdict:
    if result.status is Status.FAIL:
        return non_compliant(annotation(result))
    if result.status is Status.SKIP:
        return not_applicable()
    return compliant()


def annotation(result: GuardResult) -> str | None:
    """The failures' messages, distinct and in order, joined and cut to the limit."""
    seen: list[str] = []
    for message in result.messages:
        text = " ".join(message.split())
        if text and text not in seen:
            seen.append(text)
    if not seen:
        return None
    joined = "; ".join(seen)
    if len(joined) > ANNOTATION_LIMIT:
        joined = joined[: ANNOTATION_LIMIT - 3] + "..."
    return joined
