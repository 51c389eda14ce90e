"""Running remediations: automatic ones from the outbox, queued ones when they are due.

The consumer (cursor ``remediation``) reads ``ComplianceChanged``: a result that turned
NON_COMPLIANT under a rule whose remediation configuration is Automatic queues an
execution for the resource, unless an unexpired remediation exception names it or one
is already queued or running. The queueing and the cursor's advance share a
transaction, so a crash replays the batch and queues nothing twice.

Queued executions run when their ``due_ms`` comes (the runtime clock decides). A
native document (documents/) runs its steps through the account's boto3 clients, the
same clients the recorder uses: against the sandbox its calls become CloudTrail events
the recorder re-describes, so the rules see the fix the normal way. Any other document
starts a real SSM automation (source "aws") whose status is polled until it ends.

Automatic attempts: a failed automatic run is retried every RetryAttemptSeconds /
MaximumAutomaticAttempts until MaximumAutomaticAttempts runs fall within
RetryAttemptSeconds; then the resource gets a remediation exception, as AWS adds.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from sqlalchemy import Connection, select

from configledger.background import StepLoop
from configledger.clock import Clock, to_datetime
from configledger.recorder.sessions import Sessions
from configledger.remediation.configuration import (
    DEFAULT_ATTEMPTS,
    DEFAULT_RETRY_SECONDS,
    parameter_values,
)
from configledger.remediation.documents import NATIVE
from configledger.remediation.types import Clients, DocumentFailed, resolve
from configledger.rules.compliance import COMPLIANCE_CHANGED
from configledger.store import outbox
from configledger.store import remediation as store
from configledger.store.database import Database
from configledger.store.evaluations import NON_COMPLIANT
from configledger.store.remediation import (
    FAILED,
    IN_PROGRESS,
    QUEUED,
    RUNNING,
    SUCCEEDED,
    Execution,
    Key,
    StoredException,
)
from configledger.store.schema import evaluation_results

log = logging.getLogger("configledger.remediation")

CONSUMER = "remediation"
# Seconds between two status reads of one real SSM automation.
SSM_POLL_SECONDS = 5.0
_SSM_DONE = {"Success": SUCCEEDED, "Failed": FAILED, "TimedOut": FAILED, "Cancelled": FAILED}
_SSM_STEP = {
    "Success": "SUCCEEDED",
    "Failed": "FAILED",
    "TimedOut": "FAILED",
    "Cancelled": "FAILED",
    "InProgress": "IN_PROGRESS",
    "Pending": "PENDING",
    "Waiting": "PENDING",
}


def new_execution(
    account_id: str, region: str, rule_name: str, key: Key, *, automatic: bool, now_ms: int,
    attempts: list[int] | None = None, due_ms: int | None = None,
) -> Execution:  # fmt: skip
    return Execution(
        account_id=account_id, region=region, rule_name=rule_name, resource_type=key[0],
        resource_id=key[1], state=QUEUED, automatic=automatic,
        due_ms=now_ms if due_ms is None else due_ms, steps=[], attempts=attempts or [],
        automation_id=None, invocation_ms=now_ms, updated_ms=now_ms,
    )  # fmt: skip


def _window_ms(config: Mapping[str, Any]) -> int:
    return int(config.get("RetryAttemptSeconds") or DEFAULT_RETRY_SECONDS) * 1000


def _max_attempts(config: Mapping[str, Any]) -> int:
    return int(config.get("MaximumAutomaticAttempts") or DEFAULT_ATTEMPTS)


def queue_automatic(
    conn: Connection, account_id: str, region: str, rule_name: str, keys: list[Key], now_ms: int
) -> int:
    """Queue automatic executions of ``keys`` under the rule, if its configuration is
    Automatic and applies to their type, no active exception names them and none is
    already queued or running; how many were queued."""
    config = store.configurations(conn, account_id, region, [rule_name]).get(rule_name)
    if config is None or not config.get("Automatic"):
        return 0
    wanted = [k for k in keys if not config.get("ResourceType") or config["ResourceType"] == k[0]]
    if not wanted:
        return 0
    excepted = {
        (e.resource_type, e.resource_id)
        for e in store.exceptions(conn, account_id, region, rule_name, wanted)
        if e.active(now_ms)
    }
    existing = {e.key: e for e in store.executions(conn, account_id, region, rule_name, wanted)}
    queued = 0
    for key in wanted:
        if key in excepted:
            continue
        before = existing.get(key)
        if before is not None and before.state in RUNNING:
            continue
        attempts = before.attempts if before is not None and before.automatic else []
        attempts = [t for t in attempts if t > now_ms - _window_ms(config)]
        store.save_execution(
            conn,
            new_execution(
                account_id, region, rule_name, key, automatic=True, now_ms=now_ms,
                attempts=attempts,
            ),
        )  # fmt: skip
        queued += 1
    return queued


def non_compliant_keys(conn: Connection, account_id: str, region: str, rule_name: str) -> list[Key]:
    rows = conn.execute(
        select(evaluation_results.c.resource_type, evaluation_results.c.resource_id).where(
            evaluation_results.c.account_id == account_id,
            evaluation_results.c.region == region,
            evaluation_results.c.rule_name == rule_name,
            evaluation_results.c.compliance == NON_COMPLIANT,
        )
    )
    return [(row.resource_type, row.resource_id) for row in rows]


class RemediationEngine:
    def __init__(self, database: Database, clock: Clock, sessions: Sessions) -> None:
        self.database = database
        self.clock = clock
        self.sessions = sessions
        self._polled: dict[str, float] = {}

    def step(self) -> bool:
        """Consume one batch of compliance changes and run what is due; whether there
        was anything to do."""
        consumed = self._consume()
        ran = self._run_due()
        return consumed or ran

    def recover(self) -> None:
        with self.database.write() as conn:
            store.requeue_interrupted(conn)

    def _consume(self) -> bool:
        with self.database.read() as conn:
            events = outbox.read_batch(conn, CONSUMER, limit=500, topics=(COMPLIANCE_CHANGED,))
        if not events:
            return False
        now = self.clock.now_ms()
        with self.database.write() as conn:
            for event in events:
                message = event.payload.get("message") or {}
                new = message.get("newEvaluationResult") or {}
                if new.get("complianceType") != NON_COMPLIANT:
                    continue
                queue_automatic(
                    conn, event.account_id, event.region, message["configRuleName"],
                    [(message["resourceType"], message["resourceId"])], now,
                )  # fmt: skip
            outbox.advance(conn, CONSUMER, events[-1].seq)
        return True

    def _run_due(self) -> bool:
        with self.database.read() as conn:
            found = store.due(conn, self.clock.now_ms())
        for execution in found:
            try:
                if execution.automation_id is not None:
                    self._poll(execution)
                else:
                    self._run(execution)
            except Exception:
                # The row stays as it was: the next pass tries again.
                log.exception("remediation of %s failed unexpectedly", execution.key)
        return any(e.automation_id is None for e in found)

    def _config(self, execution: Execution) -> dict[str, Any] | None:
        with self.database.read() as conn:
            return store.configurations(
                conn, execution.account_id, execution.region, [execution.rule_name]
            ).get(execution.rule_name)

    def _save(self, execution: Execution) -> None:
        with self.database.write() as conn:
            store.save_execution(conn, execution)

    def _run(self, execution: Execution) -> None:
        config = self._config(execution)
        now = self.clock.now_ms()
        attempts = [*execution.attempts, now] if execution.automatic else execution.attempts
        started = replace(execution, state=IN_PROGRESS, steps=[], attempts=attempts, updated_ms=now)
        self._save(started)
        if config is None:
            self._finish(started, FAILED, [], None)
            return
        values = parameter_values(config, execution.resource_id)
        document = NATIVE.get(config["TargetId"])
        if document is None:
            self._start_automation(started, config, values)
            return
        steps: list[dict[str, Any]] = []
        state = SUCCEEDED
        roles = values.get("AutomationAssumeRole") or []
        role = roles[0] if roles else None

        def client(service: str) -> Any:
            return self.sessions.client(service, execution.account_id, execution.region, role)

        clients = Clients(client, to_datetime(now))

        try:
            resolved = resolve(document, values)
        except DocumentFailed as problem:
            first = document.steps[0].name
            steps.append(_step(first, "FAILED", now, now, str(problem)))
            self._finish(started, FAILED, steps, config)
            return
        for step in document.steps:
            begun = self.clock.now_ms()
            try:
                step.run(clients, resolved)
            except Exception as problem:  # a boto3 error or DocumentFailed: the step failed
                steps.append(_step(step.name, "FAILED", begun, self.clock.now_ms(), str(problem)))
                state = FAILED
                break
            steps.append(_step(step.name, "SUCCEEDED", begun, self.clock.now_ms()))
        self._finish(started, state, steps, config)

    def _start_automation(
        self, execution: Execution, config: Mapping[str, Any], values: Mapping[str, list[str]]
    ) -> None:
        now = self.clock.now_ms()
        if self.sessions.source != "aws":
            message = f"The SSM document {config['TargetId']} is not available in the sandbox"
            self._finish(execution, FAILED, [_step("StartAutomation", "FAILED", now, now, message)],
                         config)  # fmt: skip
            return
        ssm = self.sessions.client("ssm", execution.account_id, execution.region)
        request: dict[str, Any] = {"DocumentName": config["TargetId"], "Parameters": dict(values)}
        if config.get("TargetVersion"):
            request["DocumentVersion"] = config["TargetVersion"]
        try:
            answer = ssm.start_automation_execution(**request)
        except Exception as problem:
            failure = _step("StartAutomation", "FAILED", now, now, str(problem))
            self._finish(execution, FAILED, [failure], config)
            return
        self._save(replace(execution, automation_id=answer["AutomationExecutionId"]))

    def _poll(self, execution: Execution) -> None:
        assert execution.automation_id is not None
        last = self._polled.get(execution.automation_id, 0.0)
        if time.monotonic() - last < SSM_POLL_SECONDS:
            return
        self._polled[execution.automation_id] = time.monotonic()
        ssm = self.sessions.client("ssm", execution.account_id, execution.region)
        found = ssm.get_automation_execution(AutomationExecutionId=execution.automation_id)
        detail = found["AutomationExecution"]
        steps = [_ssm_step(s) for s in detail.get("StepExecutions", [])]
        state = _SSM_DONE.get(detail.get("AutomationExecutionStatus", ""))
        if state is None:
            if steps != execution.steps:
                self._save(replace(execution, steps=steps, updated_ms=self.clock.now_ms()))
            return
        self._polled.pop(execution.automation_id, None)
        self._finish(execution, state, steps, self._config(execution))

    def _finish(
        self, execution: Execution, state: str, steps: list[dict[str, Any]],
        config: Mapping[str, Any] | None,
    ) -> None:  # fmt: skip
        """Record the outcome; a failed automatic run is retried or, its attempts spent
        within the window, excepted."""
        now = self.clock.now_ms()
        done = replace(execution, state=state, steps=steps, automation_id=None, updated_ms=now)
        with self.database.write() as conn:
            if state == FAILED and execution.automatic and config is not None:
                window = _window_ms(config)
                recent = [t for t in execution.attempts if t > now - window]
                limit = _max_attempts(config)
                if len(recent) < limit:
                    retry = replace(done, state=QUEUED, due_ms=now + max(1, window // limit))
                    store.save_execution(conn, retry)
                    return
                store.put_exception(
                    conn, execution.account_id, execution.region,
                    StoredException(
                        execution.rule_name, execution.resource_type, execution.resource_id,
                        f"Auto-remediation failed {len(recent)} times within "
                        f"{window // 1000} seconds", None,
                    ),
                )  # fmt: skip
            store.save_execution(conn, done)


def _ssm_step(found: Mapping[str, Any]) -> dict[str, Any]:
    """An SSM StepExecution as a RemediationExecutionStep."""
    step: dict[str, Any] = {
        "Name": found.get("StepName", ""),
        "State": _SSM_STEP.get(found.get("StepStatus", ""), "UNKNOWN"),
    }
    if found.get("FailureMessage"):
        step["ErrorMessage"] = found["FailureMessage"]
    for ours, theirs in (("StartTime", "ExecutionStartTime"), ("StopTime", "ExecutionEndTime")):
        if found.get(theirs) is not None:
            step[ours] = int(found[theirs].timestamp() * 1000)
    return step


def _step(
    name: str, state: str, start_ms: int, stop_ms: int, error: str | None = None
) -> dict[str, Any]:
    step: dict[str, Any] = {
        "Name": name,
        "State": state,
        "StartTime": start_ms,
        "StopTime": stop_ms,
    }
    if error:
        step["ErrorMessage"] = error[:1024]
    return step


class RemediationWorker(StepLoop):
    """The engine's background loop; interrupted runs are requeued when it starts."""

    def __init__(self, engine: RemediationEngine, *, poll: float = 0.05) -> None:
        super().__init__("remediation", engine.step, poll=poll, log=log, recover=engine.recover)
        self.engine = engine
