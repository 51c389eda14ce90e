"""Conformance packs and what each one deployed (one row per pack, one per resource).

A pack's row carries its state (spec 9.1) and, while a request is carried out, that
request (``Pending``): the worker finds its work here, so nothing is lost to a restart.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

import orjson
from sqlalchemy import Connection, delete, func, insert, select, tuple_, update

from configledger.store.evaluations import Result
from configledger.store.schema import (
    conformance_pack_resources,
    conformance_packs,
    evaluation_results,
)

RULE = "AWS::Config::ConfigRule"
REMEDIATION = "AWS::Config::RemediationConfiguration"
CREATE_IN_PROGRESS = "CREATE_IN_PROGRESS"
UPDATE_IN_PROGRESS = "UPDATE_IN_PROGRESS"
DELETE_IN_PROGRESS = "DELETE_IN_PROGRESS"
IN_PROGRESS = (CREATE_IN_PROGRESS, UPDATE_IN_PROGRESS, DELETE_IN_PROGRESS)


@dataclass(frozen=True, slots=True)
class PackRequest:
    """What a PutConformancePack asked for: the template and how to deploy it."""

    template: str
    template_s3_uri: str | None
    template_ssm_document: dict[str, Any] | None
    delivery_s3_bucket: str | None
    delivery_s3_key_prefix: str | None
    input_parameters: list[dict[str, str]]

    def to_json(self) -> dict[str, Any]:
        return {
            "template": self.template,
            "templateS3Uri": self.template_s3_uri,
            "templateSsmDocument": self.template_ssm_document,
            "deliveryS3Bucket": self.delivery_s3_bucket,
            "deliveryS3KeyPrefix": self.delivery_s3_key_prefix,
            "inputParameters": self.input_parameters,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> PackRequest:
        return cls(
            template=data["template"],
            template_s3_uri=data.get("templateS3Uri"),
            template_ssm_document=data.get("templateSsmDocument"),
            delivery_s3_bucket=data.get("deliveryS3Bucket"),
            delivery_s3_key_prefix=data.get("deliveryS3KeyPrefix"),
            input_parameters=list(data.get("inputParameters") or []),
        )


@dataclass(frozen=True, slots=True)
class Pending:
    """The request a *_IN_PROGRESS pack is waiting on, and how carrying it out went.

    ``request`` is None for a deletion. ``attempts``, ``retry_at_ms`` and ``last_error``
    record failed attempts, so backoff and the deadline survive a restart."""

    requested_ms: int
    request: PackRequest | None
    attempts: int = 0
    retry_at_ms: int | None = None
    last_error: str | None = None

    def to_json(self) -> str:
        return orjson.dumps(
            {
                "requestedMs": self.requested_ms,
                "request": self.request.to_json() if self.request is not None else None,
                "attempts": self.attempts,
                "retryAtMs": self.retry_at_ms,
                "lastError": self.last_error,
            }
        ).decode()

    @classmethod
    def from_json(cls, text: str) -> Pending:
        data = orjson.loads(text)
        request = data.get("request")
        return cls(
            requested_ms=int(data["requestedMs"]),
            request=PackRequest.from_json(request) if request is not None else None,
            attempts=int(data.get("attempts") or 0),
            retry_at_ms=data.get("retryAtMs"),
            last_error=data.get("lastError"),
        )


@dataclass(frozen=True, slots=True)
class StoredPack:
    account_id: str
    region: str
    name: str
    pack_id: str
    arn: str
    state: str
    status_reason: str | None
    template: str
    template_s3_uri: str | None
    template_ssm_document: dict[str, Any] | None
    delivery_s3_bucket: str | None
    delivery_s3_key_prefix: str | None
    input_parameters: list[dict[str, str]]
    created_ms: int
    requested_ms: int
    completed_ms: int | None
    pending: Pending | None = None

    @property
    def in_progress(self) -> bool:
        return self.state in IN_PROGRESS

    @property
    def deployed(self) -> PackRequest:
        """The request the template columns hold."""
        return PackRequest(
            template=self.template,
            template_s3_uri=self.template_s3_uri,
            template_ssm_document=self.template_ssm_document,
            delivery_s3_bucket=self.delivery_s3_bucket,
            delivery_s3_key_prefix=self.delivery_s3_key_prefix,
            input_parameters=self.input_parameters,
        )

    @property
    def shown(self) -> PackRequest:
        """What DescribeConformancePacks shows: the request in progress, else the
        deployed one."""
        if self.pending is not None and self.pending.request is not None:
            return self.pending.request
        return self.deployed

    def with_request(self, request: PackRequest) -> StoredPack:
        """The pack with ``request`` in its template columns."""
        return replace(
            self,
            template=request.template,
            template_s3_uri=request.template_s3_uri,
            template_ssm_document=request.template_ssm_document,
            delivery_s3_bucket=request.delivery_s3_bucket,
            delivery_s3_key_prefix=request.delivery_s3_key_prefix,
            input_parameters=request.input_parameters,
        )


@dataclass(frozen=True, slots=True)
class PackResource:
    pack_name: str
    logical_id: str
    resource_type: str
    rule_name: str
    document: dict[str, Any] | None
    note: str | None


def _pack(row: Any) -> StoredPack:
    return StoredPack(
        account_id=row.account_id,
        region=row.region,
        name=row.name,
        pack_id=row.pack_id,
        arn=row.arn,
        state=row.state,
        status_reason=row.status_reason,
        template=row.template,
        template_s3_uri=row.template_s3_uri,
        template_ssm_document=(
            orjson.loads(row.template_ssm_document) if row.template_ssm_document else None
        ),
        delivery_s3_bucket=row.delivery_s3_bucket,
        delivery_s3_key_prefix=row.delivery_s3_key_prefix,
        input_parameters=orjson.loads(row.input_parameters),
        created_ms=row.created_ms,
        requested_ms=row.requested_ms,
        completed_ms=row.completed_ms,
        pending=Pending.from_json(row.pending) if row.pending else None,
    )


def _resource(row: Any) -> PackResource:
    return PackResource(
        pack_name=row.pack_name,
        logical_id=row.logical_id,
        resource_type=row.resource_type,
        rule_name=row.rule_name,
        document=orjson.loads(row.document) if row.document else None,
        note=row.note,
    )


def list_packs(
    conn: Connection, account_id: str, region: str, names: Sequence[str] | None = None
) -> list[StoredPack]:
    c = conformance_packs.c
    query = select(conformance_packs).where(c.account_id == account_id, c.region == region)
    if names is not None:
        query = query.where(c.name.in_(list(names)))
    return [_pack(row) for row in conn.execute(query.order_by(c.name))]


def get_pack(conn: Connection, account_id: str, region: str, name: str) -> StoredPack | None:
    found = list_packs(conn, account_id, region, [name])
    return found[0] if found else None


def in_progress(conn: Connection) -> list[StoredPack]:
    """Every pack of every partition that waits on a request, oldest request first."""
    c = conformance_packs.c
    query = select(conformance_packs).where(c.state.in_(IN_PROGRESS))
    packs = [_pack(row) for row in conn.execute(query)]
    return sorted(packs, key=lambda p: p.pending.requested_ms if p.pending else p.requested_ms)


def find_by_arn(conn: Connection, account_id: str, region: str, arn: str) -> StoredPack | None:
    c = conformance_packs.c
    row = conn.execute(
        select(conformance_packs).where(
            c.account_id == account_id, c.region == region, c.arn == arn
        )
    ).first()
    return _pack(row) if row is not None else None


def count_packs(conn: Connection, account_id: str, region: str) -> int:
    c = conformance_packs.c
    return int(
        conn.execute(
            select(func.count()).where(c.account_id == account_id, c.region == region)
        ).scalar_one()
    )


def insert_pack(conn: Connection, pack: StoredPack) -> None:
    conn.execute(insert(conformance_packs).values(**_values(pack)))


def update_pack(conn: Connection, pack: StoredPack) -> None:
    c = conformance_packs.c
    conn.execute(
        update(conformance_packs)
        .where(c.account_id == pack.account_id, c.region == pack.region, c.name == pack.name)
        .values(**_values(pack))
    )


def _values(pack: StoredPack) -> dict[str, Any]:
    return {
        "account_id": pack.account_id,
        "region": pack.region,
        "name": pack.name,
        "pack_id": pack.pack_id,
        "arn": pack.arn,
        "state": pack.state,
        "status_reason": pack.status_reason,
        "template": pack.template,
        "template_s3_uri": pack.template_s3_uri,
        "template_ssm_document": (
            orjson.dumps(pack.template_ssm_document).decode()
            if pack.template_ssm_document is not None
            else None
        ),
        "delivery_s3_bucket": pack.delivery_s3_bucket,
        "delivery_s3_key_prefix": pack.delivery_s3_key_prefix,
        "input_parameters": orjson.dumps(pack.input_parameters).decode(),
        "created_ms": pack.created_ms,
        "requested_ms": pack.requested_ms,
        "completed_ms": pack.completed_ms,
        "pending": pack.pending.to_json() if pack.pending is not None else None,
    }


def delete_pack(conn: Connection, account_id: str, region: str, name: str) -> None:
    c = conformance_packs.c
    conn.execute(
        delete(conformance_packs).where(
            c.account_id == account_id, c.region == region, c.name == name
        )
    )
    replace_resources(conn, account_id, region, name, [])


def resources(
    conn: Connection, account_id: str, region: str, pack_names: Sequence[str] | None = None
) -> list[PackResource]:
    """What the packs named (all when None) deployed, by pack and logical id."""
    c = conformance_pack_resources.c
    query = select(conformance_pack_resources).where(c.account_id == account_id, c.region == region)
    if pack_names is not None:
        query = query.where(c.pack_name.in_(list(pack_names)))
    return [_resource(row) for row in conn.execute(query.order_by(c.pack_name, c.logical_id))]


def replace_resources(
    conn: Connection, account_id: str, region: str, pack_name: str, entries: list[PackResource]
) -> None:
    c = conformance_pack_resources.c
    conn.execute(
        delete(conformance_pack_resources).where(
            c.account_id == account_id, c.region == region, c.pack_name == pack_name
        )
    )
    if entries:
        conn.execute(
            insert(conformance_pack_resources),
            [
                {
                    "account_id": account_id,
                    "region": region,
                    "pack_name": pack_name,
                    "logical_id": e.logical_id,
                    "resource_type": e.resource_type,
                    "rule_name": e.rule_name,
                    "document": orjson.dumps(e.document).decode() if e.document else None,
                    "note": e.note,
                }
                for e in entries
            ],
        )


def pack_of_rule(conn: Connection, account_id: str, region: str, rule_name: str) -> str | None:
    """The pack that deployed the rule, None for a rule of the customer's own."""
    c = conformance_pack_resources.c
    row = conn.execute(
        select(c.pack_name).where(
            c.account_id == account_id,
            c.region == region,
            c.rule_name == rule_name,
            c.resource_type == RULE,
        )
    ).first()
    return None if row is None else str(row[0])


def remediations_for_rule(
    conn: Connection, account_id: str, region: str, rule_name: str
) -> list[dict[str, Any]]:
    """The RemediationConfigurations packs declared for a rule (stored, not applied)."""
    c = conformance_pack_resources.c
    rows = conn.execute(
        select(conformance_pack_resources).where(
            c.account_id == account_id,
            c.region == region,
            c.rule_name == rule_name,
            c.resource_type == REMEDIATION,
        )
    )
    return [r.document for r in map(_resource, rows) if r.document is not None]


def results_page(
    conn: Connection,
    account_id: str,
    region: str,
    rule_names: Sequence[str],
    *,
    compliance: Sequence[str],
    resource_type: str | None,
    resource_ids: Sequence[str] | None,
    after: tuple[str, str, str] | None,
    limit: int,
) -> list[Result]:
    """The current results of a pack's rules, in (rule, type, id) order."""
    if not rule_names:
        return []
    c = evaluation_results.c
    query = select(evaluation_results).where(
        c.account_id == account_id,
        c.region == region,
        c.rule_name.in_(list(rule_names)),
        c.compliance.in_(list(compliance)),
    )
    if resource_type is not None:
        query = query.where(c.resource_type == resource_type)
    if resource_ids:
        query = query.where(c.resource_id.in_(list(resource_ids)))
    if after is not None:
        query = query.where(tuple_(c.rule_name, c.resource_type, c.resource_id) > tuple_(*after))
    query = query.order_by(c.rule_name, c.resource_type, c.resource_id).limit(limit)
    return [
        Result(
            rule_name=row.rule_name,
            resource_type=row.resource_type,
            resource_id=row.resource_id,
            compliance=row.compliance,
            annotation=row.annotation,
            ordering_ms=row.ordering_ms,
            recorded_ms=row.recorded_ms,
            invoked_ms=row.invoked_ms,
            result_token=row.result_token,
        )
        for row in conn.execute(query)
    ]


def last_recorded_ms(
    conn: Connection, account_id: str, region: str, rule_names: Sequence[str]
) -> int | None:
    """When a result of any of the rules was last written."""
    if not rule_names:
        return None
    c = evaluation_results.c
    found = conn.execute(
        select(func.max(c.recorded_ms)).where(
            c.account_id == account_id, c.region == region, c.rule_name.in_(list(rule_names))
        )
    ).scalar_one()
    return None if found is None else int(found)
