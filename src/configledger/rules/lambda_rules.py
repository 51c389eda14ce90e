"""CUSTOM_LAMBDA rules: the function is invoked with AWS Config's event (spec 7.3) and
reports through PutEvaluations with the result token it was given.

Two steps, joined by the outbox so that nothing is lost:

* ``LambdaKind`` (the registry's kind for CUSTOM_LAMBDA) runs on the rules engine's
  pass. For each in-scope item of a change-triggered rule it queues an
  ``ConfigRuleInvocationRequested`` event and returns None: the results come later.
* ``LambdaRulesWorker`` (cursor ``lambda-rules``) reads those events, and the engine's
  ``ConfigRuleEvaluationRequested`` ones, which for a periodic Lambda rule mean one
  ScheduledNotification invocation. It builds the event AWS sends (change-triggered,
  oversized when the invoking event would pass 256 KB, or periodic), issues the
  result token, invokes the function off the engine's thread with bounded concurrency
  (lambda_invoke.py), records each outcome in the rule's evaluation status, and only
  then advances its cursor. A crash replays the unfinished invocations; a replayed
  invocation reports the same results again, which changes nothing.

A deleted resource is sent to the function as its ResourceDeleted item, and one that
left the rule's scope with ``eventLeftScope`` true, as AWS does: the function reports
NOT_APPLICABLE itself, as AWS's guide asks it to.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import orjson

from configledger.api.auth import CredentialStore
from configledger.clock import Clock, iso_ms
from configledger.recorder.sessions import Sessions
from configledger.rules.definition import CUSTOM_LAMBDA, RuleDefinition, definition
from configledger.rules.lambda_invoke import Invoker, Outcome
from configledger.rules.tokens import Invocation, result_tokens
from configledger.rules.types import Environment, Verdict
from configledger.settings import Settings
from configledger.store import outbox
from configledger.store import recorders as recorder_store
from configledger.store import rules as rule_store
from configledger.store.database import Database
from configledger.store.rules import StoredRule

log = logging.getLogger("configledger.rules.lambda")

CONSUMER = "lambda-rules"
INVOCATION_REQUESTED = "ConfigRuleInvocationRequested"
# The engine's full-evaluation request (rules/engine.py), named here to keep the import
# order one way: the engine imports the kinds, which import this module.
EVALUATION_REQUESTED = "ConfigRuleEvaluationRequested"
CHANGE = "ConfigurationItemChangeNotification"
OVERSIZED = "OversizedConfigurationItemChangeNotification"
SCHEDULED = "ScheduledNotification"
RECORD_VERSION = "1.3"
_SUMMARY_KEYS = (
    "configurationItemVersion",
    "configurationItemCaptureTime",
    "configurationStateId",
    "awsAccountId",
    "configurationItemStatus",
    "resourceType",
    "resourceId",
    "resourceName",
    "ARN",
    "awsRegion",
    "availabilityZone",
    "configurationStateMd5Hash",
    "resourceCreationTime",
)


class LambdaKind:
    """Queues one invocation per in-scope item of a change-triggered Lambda rule."""

    def scheduled_once(self, rule: RuleDefinition) -> bool:
        # A periodic-only function gets one ScheduledNotification per evaluation request
        # from the invocation worker, and reports on (and retires) what it likes.
        return not rule.change_triggered

    def evaluate(
        self, rule: RuleDefinition, item: Mapping[str, Any], env: Environment
    ) -> list[Verdict] | None:
        if not rule.change_triggered:
            return None  # periodic only: one ScheduledNotification per evaluation request
        _request_invocation(rule, item, env, left_scope=False)
        return None

    def depart(
        self, rule: RuleDefinition, item: Mapping[str, Any], env: Environment, *, left_scope: bool
    ) -> bool:
        """AWS invokes the function with the ResourceDeleted item, or with
        eventLeftScope true, and the function reports NOT_APPLICABLE (AWS's guide,
        "Managing Deleted Resources for AWS Config Custom Lambda Rules")."""
        if not rule.change_triggered:
            return False
        _request_invocation(rule, item, env, left_scope=left_scope)
        return True


def _request_invocation(
    rule: RuleDefinition, item: Mapping[str, Any], env: Environment, *, left_scope: bool
) -> None:
    database: Database | None = getattr(env, "database", None)
    if database is None:
        raise RuntimeError("Lambda rules need the store to queue their invocations")
    now_ms = int(env.now.timestamp() * 1000)
    payload = {"ruleName": rule.name, "ruleId": rule.rule_id, "item": dict(item),
               "notifiedMs": now_ms}  # fmt: skip
    if left_scope:
        payload["eventLeftScope"] = True
    with database.write() as conn:
        outbox.publish(conn, env.account_id, env.region, INVOCATION_REQUESTED, payload,
                       now_ms=now_ms)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Job:
    account_id: str
    region: str
    rule: StoredRule
    message_type: str
    item: dict[str, Any] | None
    notified_ms: int
    left_scope: bool = False


def _capture_ms(item: Mapping[str, Any], fallback: int) -> int:
    raw = item.get("configurationItemCaptureTime")
    if isinstance(raw, str):
        try:
            return int(datetime.fromisoformat(raw.replace("Z", "+00:00")).timestamp() * 1000)
        except ValueError:
            return fallback
    return fallback


def invoking_event(job: Job, limit: int) -> tuple[str, str]:
    """The ``invokingEvent`` string and its message type (oversized past ``limit`` bytes)."""
    notified = iso_ms(job.notified_ms)
    if job.item is None:
        body: dict[str, Any] = {
            "awsAccountId": job.account_id,
            "notificationCreationTime": notified,
            "messageType": SCHEDULED,
            "recordVersion": "1.0",
        }
        return orjson.dumps(body).decode(), SCHEDULED
    full = {
        "configurationItemDiff": None,
        "configurationItem": job.item,
        "notificationCreationTime": notified,
        "messageType": CHANGE,
        "recordVersion": RECORD_VERSION,
    }
    text = orjson.dumps(full).decode()
    if len(text.encode()) <= limit:
        return text, CHANGE
    summary = {key: job.item.get(key) for key in _SUMMARY_KEYS}
    summary["changeType"] = "UPDATE"
    oversized = {
        "configurationItemSummary": summary,
        "messageType": OVERSIZED,
        "notificationCreationTime": notified,
        "recordVersion": RECORD_VERSION,
    }
    return orjson.dumps(oversized).decode(), OVERSIZED


class LambdaRulesWorker:
    """The invocations' background loop (api/context.py ``Worker``)."""

    def __init__(
        self,
        database: Database,
        clock: Clock,
        sessions: Sessions,
        settings: Settings,
        credentials: CredentialStore,
        *,
        poll: float = 0.05,
    ) -> None:
        self.database = database
        self.clock = clock
        self.settings = settings
        self.invoker = Invoker(settings, sessions, credentials)
        self.poll = poll
        self._pool = ThreadPoolExecutor(
            max_workers=max(1, settings.lambda_concurrency), thread_name_prefix="lambda-rule"
        )
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread = threading.Thread(target=self._run, name="configledger-lambda", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        """Stop without waiting for slow functions: the runners are ended and the
        batch in flight is left unrecorded, so it runs again on the next start."""
        self._stop.set()
        self._wake.set()
        self.invoker.close()
        if self._thread.is_alive():
            self._thread.join(timeout=30)
        self._pool.shutdown(wait=False, cancel_futures=True)
        self.invoker.close()

    def notify(self) -> None:
        self._wake.set()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                busy = self.step()
            except Exception:
                log.exception("Lambda rule invocations failed; retrying")
                busy = False
            if not busy:
                self._wake.wait(self.poll)
                self._wake.clear()

    # -- one batch ------------------------------------------------------------------------

    def step(self) -> bool:
        limit = max(1, self.settings.lambda_concurrency) * 4
        with self.database.read() as conn:
            events = outbox.read_batch(
                conn, CONSUMER, limit=limit, topics=(INVOCATION_REQUESTED, EVALUATION_REQUESTED)
            )
        if not events:
            return False
        jobs = self._jobs(events)
        outcomes = list(self._pool.map(self._invoke, jobs))
        if self._stop.is_set():
            return False  # cut short: the cursor stays, the batch runs again after a restart
        now = self.clock.now_ms()
        with self.database.write() as conn:
            for job, outcome in zip(jobs, outcomes, strict=True):
                self._record(conn, job, outcome, now)
            outbox.advance(conn, CONSUMER, events[-1].seq)
        return True

    def _jobs(self, events: list[outbox.OutboxEvent]) -> list[Job]:
        partitions = {(e.account_id, e.region) for e in events}
        rules: dict[tuple[str, str, str], StoredRule] = {}
        with self.database.read() as conn:
            for account_id, region in partitions:
                for rule in rule_store.list_rules(conn, account_id, region):
                    if rule.owner == CUSTOM_LAMBDA:
                        rules[(account_id, region, rule.rule_id)] = rule
        jobs: list[Job] = []
        for event in events:
            found = rules.get((event.account_id, event.region, event.payload.get("ruleId", "")))
            if found is None:
                continue  # not a Lambda rule, or deleted since
            rule = found
            if event.topic == INVOCATION_REQUESTED:
                jobs.append(
                    Job(event.account_id, event.region, rule, CHANGE, event.payload["item"],
                        int(event.payload.get("notifiedMs") or event.created_ms),
                        bool(event.payload.get("eventLeftScope")))
                )  # fmt: skip
            elif definition(rule.name, rule.rule_id, rule.arn, rule.document).period_ms:
                jobs.append(
                    Job(event.account_id, event.region, rule, SCHEDULED, None, event.created_ms)
                )
        return jobs

    def event(self, job: Job) -> dict[str, Any]:
        """The event AWS Config sends the function (spec 7.3)."""
        now = self.clock.now_ms()
        text, _ = invoking_event(job, self.settings.lambda_event_limit)
        item = job.item
        ordering = _capture_ms(item, job.notified_ms) if item is not None else job.notified_ms
        token = result_tokens(self.database).issue(
            Invocation(
                account_id=job.account_id,
                region=job.region,
                rule_name=job.rule.name,
                rule_id=job.rule.rule_id,
                message_type=CHANGE if item is not None else SCHEDULED,
                resource_type=item.get("resourceType") if item is not None else None,
                resource_id=item.get("resourceId") if item is not None else None,
                ordering_ms=ordering,
                invoked_ms=now,
                expires_ms=now + self.settings.result_token_ttl * 1000,
            )
        )
        with self.database.read() as conn:
            recorders = recorder_store.list_recorders(conn, job.account_id, job.region)
        role = recorders[0].role_arn if recorders else None
        event: dict[str, Any] = {
            "version": "1.0",
            "invokingEvent": text,
            "ruleParameters": job.rule.document.get("InputParameters") or "{}",
            "resultToken": token,
            "eventLeftScope": job.left_scope,
            "executionRoleArn": role,
            "configRuleArn": job.rule.arn,
            "configRuleName": job.rule.name,
            "configRuleId": job.rule.rule_id,
            "accountId": job.account_id,
        }
        # AWS's scheduled events carry eventLeftScope (false) too: handlers written for
        # both triggers read it unconditionally.
        return event

    def _invoke(self, job: Job) -> Outcome:
        arn = str(job.rule.document["Source"].get("SourceIdentifier") or "")
        try:
            return self.invoker.invoke(arn, job.account_id, job.region, self.event(job))
        except Exception as exc:  # an unexpected failure is this invocation's, not the batch's
            log.exception("invoking %s for rule %s failed", arn, job.rule.name)
            return Outcome(("InternalError", f"{type(exc).__name__}: {exc}"[:1000]))

    def _record(self, conn: Any, job: Job, outcome: Outcome, now_ms: int) -> None:
        rule_store.lock_rules(conn, job.account_id, job.region)
        live = rule_store.get_rule(conn, job.account_id, job.region, job.rule.name)
        if live is None or live.rule_id != job.rule.rule_id:
            return
        if outcome.error is None:
            rule_store.update_rule(
                conn, live, last_success_invocation_ms=now_ms, first_evaluation_started=True
            )
            return
        code, message = outcome.error
        log.info("Lambda rule %s: %s: %s", job.rule.name, code, message)
        rule_store.update_rule(
            conn,
            live,
            last_failed_invocation_ms=now_ms,
            last_failed_evaluation_ms=now_ms,
            last_error_code=code[:256],
            last_error_message=message[:1000],
            first_evaluation_started=True,
        )
