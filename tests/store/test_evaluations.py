"""Stored results on both stores: a re-evaluation that finds what the last one found
rewrites only the results' times, and a result deleted meanwhile is written again whole."""

from __future__ import annotations

from sqlalchemy import delete

from configledger.rules.engine import apply_results
from configledger.store import evaluations as results_store
from configledger.store.evaluations import Result
from configledger.store.schema import evaluation_results
from tests.conftest import LiveServer

REGION = "us-east-1"
TYPE = "AWS::EC2::SecurityGroup"
ARNS = {"ssh": "arn:aws:config:us-east-1:1:config-rule/config-rule-ssh"}


def _result(resource_id: str, compliance: str, at: int, annotation: str | None = None) -> Result:
    return Result("ssh", TYPE, resource_id, compliance, annotation, 1_000, at, at)


def _stored(backend: LiveServer, account: str) -> dict[str, Result]:
    with backend.app.runtime.database.read() as conn:
        return {
            r.resource_id: r for r in results_store.for_rule(conn, account, REGION, "ssh").values()
        }


def test_touch_rewrites_times_only_in_chunks_and_rewrites_missing_rows(
    backend: LiveServer, account: str
) -> None:
    database = backend.app.runtime.database
    ids = [f"sg-{n:05d}" for n in range(1_203)]  # three chunks, the last one short
    with database.write() as conn:
        results_store.upsert(conn, account, REGION, [_result(i, "COMPLIANT", 10, "a") for i in ids])
        results_store.upsert(conn, account, REGION, [_result("sg-other", "NON_COMPLIANT", 10)])
    with database.write() as conn:  # deleted after the pass read it
        c = evaluation_results.c
        conn.execute(
            delete(evaluation_results).where(c.account_id == account, c.resource_id == "sg-01202")
        )
    with database.write() as conn:
        results_store.touch(conn, account, REGION, [_result(i, "COMPLIANT", 20, "a") for i in ids])
    stored = _stored(backend, account)
    assert len(stored) == 1_204
    assert {(r.recorded_ms, r.invoked_ms) for i, r in stored.items() if i != "sg-other"} == {
        (20, 20)
    }
    assert stored["sg-01202"] == _result("sg-01202", "COMPLIANT", 20, "a")
    assert stored["sg-00000"] == _result("sg-00000", "COMPLIANT", 20, "a")
    assert stored["sg-other"] == _result("sg-other", "NON_COMPLIANT", 10)


def test_apply_results_announces_changes_and_retimes_the_rest(
    backend: LiveServer, account: str
) -> None:
    database = backend.app.runtime.database
    first = [
        _result("sg-same", "COMPLIANT", 10),
        _result("sg-flip", "COMPLIANT", 10),
        _result("sg-note", "NON_COMPLIANT", 10, "old"),
    ]
    with database.write() as conn:
        changed = apply_results(conn, account, REGION, first, {}, ARNS, 10)
    assert len(changed) == 3
    old = {(r.rule_name, r.resource_type, r.resource_id): r for r in first}
    second = [
        _result("sg-same", "COMPLIANT", 20),
        _result("sg-flip", "NON_COMPLIANT", 20),
        _result("sg-note", "NON_COMPLIANT", 20, "new"),
    ]
    with database.write() as conn:
        changed = apply_results(conn, account, REGION, second, old, ARNS, 20)
    assert [r.resource_id for r in changed] == ["sg-flip"]
    assert _stored(backend, account) == {r.resource_id: r for r in second}
