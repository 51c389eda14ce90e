"""The real ``Environment`` a rule sees: the store's current items and boto3 calls.

Items come from the store's projection in stream form (history/items.py ``to_stream``),
read once per type per evaluation pass and shared by every rule of that pass. AWS calls
go through the recorder's ``Sessions`` (the sandbox or AWS, one code path), acting with
the recorder's role in the rule's account and region.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from botocore.exceptions import ClientError
from sqlalchemy import Connection, select

from configledger.clock import to_datetime
from configledger.history.items import ConfigurationItem, stream_from_record
from configledger.recorder.sessions import Sessions
from configledger.rules.types import ACCOUNT, AwsCallFailed
from configledger.store.database import Database
from configledger.store.schema import configuration_items, resources


def current_streams(
    conn: Connection, account_id: str, region: str, resource_type: str | None
) -> list[dict[str, Any]]:
    """The stream form of the newest item of each live resource of a type (every type
    when None), rendered from the stored documents directly (fetched in one call)."""
    r = resources.c
    query = (
        select(configuration_items.c.document)
        .join(resources, configuration_items.c.seq == r.item_seq)
        .where(r.account_id == account_id, r.region == region, r.deleted_ms.is_(None))
    )
    if resource_type is not None:
        query = query.where(r.resource_type == resource_type)
    return [stream_from_record(document) for document in conn.execute(query).scalars().all()]


def items_by_seq(conn: Connection, seqs: Iterable[int]) -> dict[int, ConfigurationItem]:
    wanted = sorted(set(seqs))
    out: dict[int, ConfigurationItem] = {}
    c = configuration_items.c
    for start in range(0, len(wanted), 500):
        query = select(c.seq, c.document).where(c.seq.in_(wanted[start : start + 500]))
        for seq, document in conn.execute(query):
            out[int(seq)] = ConfigurationItem.from_record(document)
    return out


def account_item(account_id: str, region: str) -> dict[str, Any]:
    """What an account-level rule is given (types.py RuleInput)."""
    return {
        "resourceType": ACCOUNT,
        "resourceId": account_id,
        "awsAccountId": account_id,
        "awsRegion": region,
    }


class StoreEnvironment:
    """One evaluation pass's view of an account and region."""

    def __init__(
        self,
        database: Database,
        sessions: Sessions | None,
        account_id: str,
        region: str,
        now_ms: int,
        role_arn: str | None = None,
    ) -> None:
        self.account_id = account_id
        self.region = region
        self.now: datetime = to_datetime(now_ms)
        self._database = database
        self.database = database  # Lambda rules queue their invocations in it
        self._sessions = sessions
        self._role_arn = role_arn
        self._by_type: dict[str, list[dict[str, Any]]] = {}
        self._by_key: dict[tuple[str, str], dict[str, Any]] = {}
        self._all: list[dict[str, Any]] | None = None

    def items(self, resource_type: str) -> Iterable[Mapping[str, Any]]:
        found = self._by_type.get(resource_type)
        if found is None:
            with self._database.read() as conn:
                found = current_streams(conn, self.account_id, self.region, resource_type)
            self._by_type[resource_type] = found
            for stream in found:
                self._by_key[(resource_type, stream["resourceId"])] = stream
        return found

    def all_items(self) -> list[dict[str, Any]]:
        """Every live item (rules scoped by tag only, or not at all)."""
        if self._all is None:
            with self._database.read() as conn:
                self._all = current_streams(conn, self.account_id, self.region, None)
        return self._all

    def item(self, resource_type: str, resource_id: str) -> Mapping[str, Any] | None:
        self.items(resource_type)
        return self._by_key.get((resource_type, resource_id))

    def call(self, service: str, operation: str, **params: Any) -> dict[str, Any]:
        if self._sessions is None:
            raise AwsCallFailed("NoCredentials", "no AWS session is available to rules here")
        client = self._sessions.client(service, self.account_id, self.region, self._role_arn)
        try:
            answer: dict[str, Any] = getattr(client, operation)(**params)
        except ClientError as exc:
            error = exc.response.get("Error", {})
            raise AwsCallFailed(
                str(error.get("Code", "Unknown")), str(error.get("Message", ""))
            ) from exc
        answer.pop("ResponseMetadata", None)
        return answer
