"""The rules engine: evaluations driven from the outbox.

Its consumer (cursor ``rules``) reads three topics:

* ``ConfigurationItemRecorded``: the change trigger. The newest item of each resource in
  the batch is evaluated by every change-triggered rule whose scope holds it; a rule
  with a result for a resource that left its scope records NOT_APPLICABLE
  (eventLeftScope), and a deleted or no-longer-recorded resource's results all become
  NOT_APPLICABLE.
* ``ConfigRuleEvaluationRequested``: a full evaluation of one rule over every resource
  in its scope (the initial evaluation of a new or updated rule,
  StartConfigRulesEvaluation, and the scheduled evaluations of periodic rules, which
  the worker queues when the clock says they are due). Results of resources the pass
  no longer produces become NOT_APPLICABLE.
* ``ResourceComplianceChanged``: record the AWS::Config::ResourceCompliance items of
  the resources named (history.py).

Results, ComplianceChanged events (payload ``{"message": ComplianceChangeNotification}``)
and the next ResourceComplianceChanged event are written in one transaction; the cursor
advances only after. A crash replays the batch: evaluations are pure and a replayed
result equals the stored one, so it announces nothing twice.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import orjson
from sqlalchemy import Connection

from configledger.background import StepLoop
from configledger.clock import Clock
from configledger.history.items import ConfigurationItem, ItemStatus
from configledger.recorder.sessions import Sessions
from configledger.rules import compliance
from configledger.rules.definition import FREQUENCY_MS, RuleDefinition, definition
from configledger.rules.environment import StoreEnvironment, account_item, items_by_seq
from configledger.rules.history import record_compliance, records_compliance
from configledger.rules.kinds import KINDS, RuleKind, scheduled_notification
from configledger.rules.types import AwsCallFailed, ComplianceType
from configledger.store import evaluations as results_store
from configledger.store import outbox
from configledger.store import recorders as recorder_store
from configledger.store import rules as rule_store
from configledger.store.database import Database
from configledger.store.evaluations import NOT_APPLICABLE, Result
from configledger.store.items import ITEM_RECORDED
from configledger.store.rules import StoredRule

log = logging.getLogger("configledger.rules")

CONSUMER = "rules"
EVALUATION_REQUESTED = "ConfigRuleEvaluationRequested"
RESOURCE_COMPLIANCE_CHANGED = "ResourceComplianceChanged"
TOPICS = (ITEM_RECORDED, EVALUATION_REQUESTED, RESOURCE_COMPLIANCE_CHANGED)
_GONE = frozenset(
    {
        ItemStatus.RESOURCE_DELETED,
        ItemStatus.RESOURCE_DELETED_NOT_RECORDED,
        ItemStatus.RESOURCE_NOT_RECORDED,
    }
)
_ANNOTATION_MAX = 256
# A verdict's ComplianceType as the plain string stored (cheaper than the enum's .value).
_COMPLIANCE = {member: member.value for member in ComplianceType}


def rule_definition(rule: StoredRule) -> RuleDefinition:
    return definition(rule.name, rule.rule_id, rule.arn, rule.document)


def request_evaluation(
    conn: Connection, rule: StoredRule | RuleDefinition, account_id: str, region: str, *,
    reason: str, now_ms: int,
) -> None:  # fmt: skip
    """Queue a full evaluation of ``rule`` in the caller's transaction."""
    outbox.publish(
        conn,
        account_id,
        region,
        EVALUATION_REQUESTED,
        {"ruleName": rule.name, "ruleId": rule.rule_id, "reason": reason},
        now_ms=now_ms,
    )


def announce_compliance_change(
    conn: Connection, account_id: str, region: str, keys: Iterable[tuple[str, str]], now_ms: int
) -> None:
    """Queue the ResourceCompliance items of ``keys`` in the caller's transaction."""
    resources = sorted(set(keys))
    if resources:
        outbox.publish(
            conn,
            account_id,
            region,
            RESOURCE_COMPLIANCE_CHANGED,
            {"resources": [list(k) for k in resources]},
            now_ms=now_ms,
        )


@dataclass(slots=True)
class _RuleRun:
    """What happened to one rule in a pass, for its evaluation status."""

    invoked: bool = False
    evaluated: bool = False
    error: tuple[str, str] | None = None
    finished_request: bool = False


@dataclass(slots=True)
class _Pass:
    """One partition's share of a batch."""

    account_id: str
    region: str
    now_ms: int
    new: dict[tuple[str, str, str], Result] = field(default_factory=dict)
    runs: dict[str, _RuleRun] = field(default_factory=lambda: defaultdict(_RuleRun))

    def put(self, result: Result) -> None:
        self.new[(result.rule_name, result.resource_type, result.resource_id)] = result

    def not_applicable(self, rule_name: str, key: tuple[str, str], ordering_ms: int) -> None:
        self.put(
            Result(rule_name, key[0], key[1], NOT_APPLICABLE, None, ordering_ms, self.now_ms,
                   self.now_ms)
        )  # fmt: skip


def apply_results(
    conn: Connection,
    account_id: str,
    region: str,
    results: Sequence[Result],
    old: Mapping[tuple[str, str, str], Result],
    arns: Mapping[str, str],
    now_ms: int,
) -> list[Result]:
    """Store ``results`` (older than what is stored, by ordering time, are dropped),
    announce each changed ComplianceType, queue the ResourceCompliance items of the
    resources concerned; the results that changed a ComplianceType."""
    written: list[Result] = []
    retimed: list[Result] = []  # equal to the stored result but for its times
    changed: list[Result] = []
    events: list[tuple[str, str, str, None, bytes, int]] = []
    for result in results:
        before = old.get((result.rule_name, result.resource_type, result.resource_id))
        if before is not None and before.ordering_ms > result.ordering_ms:
            continue
        if (
            before is not None
            and before.compliance == result.compliance
            and before.ordering_ms == result.ordering_ms
            and before.annotation == result.annotation
            and before.result_token == result.result_token
        ):
            retimed.append(result)
            continue
        written.append(result)
        if before is None or before.compliance != result.compliance:
            changed.append(result)
            message = compliance.change_notification(
                account_id=account_id,
                region=region,
                rule_arn=arns[result.rule_name],
                new=result,
                old=before,
                now_ms=now_ms,
            )
            payload = orjson.dumps({"message": message})
            events.append(
                (account_id, region, compliance.COMPLIANCE_CHANGED, None, payload, now_ms)
            )
    _publish_many(conn, events)
    results_store.upsert(conn, account_id, region, written)
    results_store.touch(conn, account_id, region, retimed)
    announce_compliance_change(conn, account_id, region, (r.key for r in changed), now_ms)
    return changed


def _publish_many(conn: Connection, rows: list[tuple[str, str, str, None, bytes, int]]) -> None:
    """Outbox events in one plain executemany (a first evaluation announces one per
    resource and rule: hundreds of thousands)."""
    if not rows:
        return
    mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
    conn.exec_driver_sql(
        "INSERT INTO outbox (account_id, region, topic, subject_seq, payload, created_ms) "
        f"VALUES ({', '.join([mark] * 6)})",
        rows,
    )


class RulesEngine:
    def __init__(self, database: Database, clock: Clock, sessions: Sessions | None) -> None:
        self.database = database
        self.clock = clock
        self.sessions = sessions

    # -- scheduling ---------------------------------------------------------------------

    def schedule_due(self) -> int:
        """Queue the scheduled evaluations the clock says are due; how many."""
        now = self.clock.now_ms()
        with self.database.read() as conn:
            due = rule_store.due_periodic(conn, now)
        if not due:
            return 0
        with self.database.write() as conn:
            for rule in rule_store.due_periodic(conn, now):
                period = rule_definition(rule).period_ms or FREQUENCY_MS["TwentyFour_Hours"]
                # The next one a full period after this one was due, never in the past.
                next_ms = (rule.next_periodic_ms or now) + period
                if next_ms <= now:
                    next_ms = now + period
                rule_store.update_by_id(conn, rule.rule_id, next_periodic_ms=next_ms)
                request_evaluation(
                    conn, rule, rule.account_id, rule.region, reason="periodic", now_ms=now
                )
        return len(due)

    # -- the outbox -----------------------------------------------------------------------

    def step(self, limit: int = 500) -> bool:
        """Process one batch of events; whether there was any."""
        with self.database.read() as conn:
            events = outbox.read_batch(conn, CONSUMER, limit=limit, topics=TOPICS)
        if not events:
            return False
        partitions: dict[tuple[str, str], list[outbox.OutboxEvent]] = defaultdict(list)
        for event in events:
            partitions[(event.account_id, event.region)].append(event)
        for (account_id, region), batch in partitions.items():
            self.process(account_id, region, batch)
        with self.database.write() as conn:
            outbox.advance(conn, CONSUMER, events[-1].seq)
        return True

    def process(self, account_id: str, region: str, events: list[outbox.OutboxEvent]) -> None:
        now = self.clock.now_ms()
        work = _Pass(account_id, region, now)
        latest: dict[tuple[str, str], int] = {}
        requested: dict[str, str] = {}  # rule id -> reason
        compliance_keys: set[tuple[str, str]] = set()
        for event in events:
            payload = event.payload
            if event.topic == ITEM_RECORDED and event.subject_seq is not None:
                latest[(payload["resourceType"], payload["resourceId"])] = event.subject_seq
            elif event.topic == EVALUATION_REQUESTED:
                requested[payload["ruleId"]] = payload.get("reason", "")
            elif event.topic == RESOURCE_COMPLIANCE_CHANGED:
                compliance_keys.update((t, i) for t, i in payload["resources"])
        with self.database.read() as conn:
            rules = [rule_definition(r) for r in rule_store.list_rules(conn, account_id, region)]
            recorder = recorder_store.list_recorders(conn, account_id, region)
        role_arn = recorder[0].role_arn if recorder else None
        env = StoreEnvironment(self.database, self.sessions, account_id, region, now, role_arn)
        old: dict[tuple[str, str, str], Result] = {}
        explicit = {t for rule in rules for t in rule.scope.resource_types}
        wanted = {
            key: seq
            for key, seq in latest.items()
            if key[0] != compliance.RESOURCE_COMPLIANCE or key[0] in explicit
        }
        if wanted and rules:
            self._changes(work, rules, wanted, env, old)
        for rule in rules:
            if rule.rule_id in requested:
                self._full(work, rule, env, old)
                work.runs[rule.name].finished_request = True
        if work.new or work.runs:
            self._commit(work, rules, old)
        if compliance_keys:
            self._record_compliance(account_id, region, compliance_keys, rules, now)

    # -- evaluation -----------------------------------------------------------------------

    def _evaluate(
        self, work: _Pass, rule: RuleDefinition, item: Mapping[str, Any], env: StoreEnvironment
    ) -> None:
        """Evaluate one item (its results go to ``work``)."""
        kind = KINDS.get(rule.owner)
        if kind is not None:
            _evaluate_with(work, rule, kind, work.runs[rule.name], item, env, set())

    def _changes(
        self,
        work: _Pass,
        rules: list[RuleDefinition],
        latest: dict[tuple[str, str], int],
        env: StoreEnvironment,
        old: dict[tuple[str, str, str], Result],
    ) -> None:
        with self.database.read() as conn:
            items = items_by_seq(conn, latest.values())
            existing = results_store.for_resources(conn, work.account_id, work.region, latest)
        by_key: dict[tuple[str, str], dict[str, Result]] = defaultdict(dict)
        by_name = {rule.name: rule for rule in rules}
        for result in existing:
            old[(result.rule_name, result.resource_type, result.resource_id)] = result
            by_key[result.key][result.rule_name] = result
        for key, seq in latest.items():
            item = items.get(seq)
            if item is None:
                continue
            stored = by_key.get(key, {})
            stream: dict[str, Any] | None = None
            if item.status in _GONE:
                for rule_name, result in stored.items():
                    if result.compliance == NOT_APPLICABLE:
                        continue
                    rule = by_name.get(rule_name)
                    if rule is not None and item.status is ItemStatus.RESOURCE_DELETED:
                        stream = stream if stream is not None else _stream(item)
                        if self._depart(work, rule, stream, env, left_scope=False):
                            continue
                    work.not_applicable(rule_name, key, item.capture_ms)
                continue
            for rule in rules:
                if not rule.change_triggered or rule.account_level:
                    continue
                if rule.scope.matches(key[0], key[1], item.tags):
                    stream = stream if stream is not None else _stream(item)
                    self._evaluate(work, rule, stream, env)
                else:
                    left = stored.get(rule.name)
                    if left is not None and left.compliance != NOT_APPLICABLE:
                        stream = stream if stream is not None else _stream(item)
                        if not self._depart(work, rule, stream, env, left_scope=True):
                            work.not_applicable(rule.name, key, item.capture_ms)

    def _depart(
        self,
        work: _Pass,
        rule: RuleDefinition,
        item: Mapping[str, Any],
        env: StoreEnvironment,
        *,
        left_scope: bool,
    ) -> bool:
        """Tell ``rule``'s kind that a resource was deleted or left the scope; False when
        the engine is to settle it NOT_APPLICABLE (the kind is not told)."""
        kind = KINDS.get(rule.owner)
        if kind is None:
            return False
        try:
            told = kind.depart(rule, item, env, left_scope=left_scope)
        except Exception as exc:  # as a failed evaluation: shown in the rule's status
            work.runs[rule.name].error = ("InternalError", f"{type(exc).__name__}: {exc}")
            return True
        if told:
            work.runs[rule.name].invoked = True
        return told

    def _full(
        self,
        work: _Pass,
        rule: RuleDefinition,
        env: StoreEnvironment,
        old: dict[tuple[str, str, str], Result],
    ) -> None:
        kind = KINDS.get(rule.owner)
        if kind is None:
            return
        if kind.scheduled_once(rule):
            self._evaluate(work, rule, scheduled_notification(work.account_id, work.now_ms), env)
            return  # such a kind reports stale resources itself
        if rule.account_level:
            candidates: Iterable[Mapping[str, Any]] = [account_item(work.account_id, work.region)]
        elif rule.scope.resource_types:
            candidates = (item for t in rule.scope.resource_types for item in env.items(t))
        else:
            candidates = (
                item
                for item in env.all_items()
                if item["resourceType"] != compliance.RESOURCE_COMPLIANCE
            )
        # What the pass accounts for: results it produced, and resources whose evaluation
        # failed (their stored results stand until an evaluation succeeds).
        produced: set[tuple[str, str]] = set()
        run = work.runs[rule.name]
        scope = rule.scope
        # Candidates read by type already match a scope of types alone.
        check_scope = not rule.account_level and (
            not scope.resource_types or scope.tag_key is not None or scope.resource_id is not None
        )
        for item in candidates:
            if check_scope and not scope.matches(
                item["resourceType"], item["resourceId"], item.get("tags") or {}
            ):
                continue
            if not _evaluate_with(work, rule, kind, run, item, env, produced):
                produced.add((item["resourceType"], item["resourceId"]))
        run.invoked = True
        with self.database.read() as conn:
            stored = results_store.for_rule(conn, work.account_id, work.region, rule.name)
        for key, result in stored.items():
            old.setdefault((rule.name, key[0], key[1]), result)
            if key in produced or result.compliance == NOT_APPLICABLE:
                continue
            if (rule.name, key[0], key[1]) not in work.new:
                work.not_applicable(rule.name, key, work.now_ms)

    # -- writing --------------------------------------------------------------------------

    def _commit(
        self, work: _Pass, rules: list[RuleDefinition], old: dict[tuple[str, str, str], Result]
    ) -> None:
        arns = {rule.name: rule.arn for rule in rules}
        ids = {rule.name: rule.rule_id for rule in rules}
        with self.database.write() as conn:
            rule_store.lock_rules(conn, work.account_id, work.region)
            live = {r.name: r for r in rule_store.list_rules(conn, work.account_id, work.region)}
            # A rule deleted (or replaced) while this pass ran keeps no results.
            alive = {name for name, r in live.items() if ids.get(name) == r.rule_id}
            results = [r for r in work.new.values() if r.rule_name in alive]
            apply_results(conn, work.account_id, work.region, results, old, arns, work.now_ms)
            updates: dict[tuple[tuple[str, Any], ...], list[str]] = defaultdict(list)
            for name, run in work.runs.items():
                if name not in alive:
                    continue
                values: dict[str, Any] = {}
                if run.invoked:
                    values["last_success_invocation_ms"] = work.now_ms
                    values["first_evaluation_started"] = True
                if run.error is not None:
                    values["last_failed_evaluation_ms"] = work.now_ms
                    values["last_error_code"] = run.error[0][:256]
                    values["last_error_message"] = run.error[1]
                elif run.evaluated:
                    values["last_success_evaluation_ms"] = work.now_ms
                if run.finished_request and live[name].state == "EVALUATING":
                    values["state"] = "ACTIVE"
                if values:
                    updates[tuple(sorted(values.items()))].append(name)
            # Rules of one pass mostly end alike: one statement per distinct status.
            for items, names in updates.items():
                rule_store.update_rules(conn, work.account_id, work.region, names, **dict(items))

    def _record_compliance(
        self,
        account_id: str,
        region: str,
        keys: set[tuple[str, str]],
        rules: list[RuleDefinition],
        now_ms: int,
    ) -> None:
        by_name = {rule.name: rule for rule in rules}
        with self.database.read() as conn:
            if not records_compliance(conn, account_id, region):
                return
            found = results_store.for_resources(conn, account_id, region, keys)
        per_resource: dict[tuple[str, str], list[tuple[Result, str, str]]] = {k: [] for k in keys}
        for result in found:
            rule = by_name.get(result.rule_name)
            if rule is not None:
                per_resource[result.key].append((result, rule.arn, rule.rule_id))
        configurations = {
            key: compliance.resource_compliance_configuration(key[0], key[1], entries)
            for key, entries in per_resource.items()
        }
        record_compliance(self.database, account_id, region, configurations, now_ms=now_ms)


def _evaluate_with(
    work: _Pass,
    rule: RuleDefinition,
    kind: RuleKind,
    run: _RuleRun,
    item: Mapping[str, Any],
    env: StoreEnvironment,
    produced: set[tuple[str, str]],
) -> bool:
    """Evaluate one item with the rule's kind and run (looked up once per pass), adding
    the resources it produced results for to ``produced``; False when it produced none
    because the kind answers later or the evaluation failed."""
    run.invoked = True
    try:
        verdicts = kind.evaluate(rule, item, env)
    except AwsCallFailed as exc:
        run.error = (exc.code, exc.message or str(exc))
        return False
    except Exception as exc:  # a rule's bug fails its evaluation, not the engine
        log.warning("rule %s failed on %s: %r", rule.name, item.get("resourceId"), exc)
        run.error = ("InternalError", f"{type(exc).__name__}: {exc}"[:1000])
        return False
    if verdicts is None:
        return False
    run.evaluated = True
    ordering = int(item.get("configurationStateId") or work.now_ms)
    now = work.now_ms
    new = work.new
    name = rule.name
    for verdict in verdicts:
        if verdict.resource_type is not None and verdict.resource_id is not None:
            key = (verdict.resource_type, verdict.resource_id)
        elif "resourceType" in item and "resourceId" in item:
            key = (str(item["resourceType"]), str(item["resourceId"]))
        else:
            run.error = ("InvalidEvaluation", "a verdict on a scheduled run names no resource")
            continue
        produced.add(key)
        annotation = verdict.annotation[:_ANNOTATION_MAX] if verdict.annotation else None
        new[(name, key[0], key[1])] = Result(
            name, key[0], key[1], _COMPLIANCE[verdict.compliance], annotation, ordering, now, now
        )
    return True


def _stream(item: ConfigurationItem) -> dict[str, Any]:
    return item.to_stream()


class RulesWorker(StepLoop):
    """The engine's background loop: periodic evaluations that fell due, then the
    outbox."""

    def __init__(self, engine: RulesEngine, *, poll: float = 0.05) -> None:
        super().__init__("rules", self._step, poll=poll, log=log)
        self.engine = engine

    def _step(self) -> bool:
        self.engine.schedule_due()
        return self.engine.step()
