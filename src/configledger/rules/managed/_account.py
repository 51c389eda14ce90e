"""What the account-level rules share: every page of a paginated AWS answer."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from configledger.rules.types import Environment


def pages(
    env: Environment, service: str, operation: str, token: str = "NextToken", **params: Any
) -> Iterator[dict[str, Any]]:
    """Each page of ``operation``, following ``token`` (request and response alike)."""
    while True:
        page = env.call(service, operation, **params)
        yield page
        following = page.get(token)
        if not following:
            return
        params = {**params, token: following}
