"""Carrying out conformance pack requests in the background (spec 9.1's state machine).

PutConformancePack and DeleteConformancePack check the request, record it on the pack
(``store.conformance.Pending``) with the state CREATE_IN_PROGRESS, UPDATE_IN_PROGRESS or
DELETE_IN_PROGRESS, and return, as AWS's do; while a pack is in progress both refuse it
(ResourceInUseException). This worker finds the packs in progress and carries each
request out:

* create or update: resolve the template with its parameters, plan its rules through
  PutConfigRule's own checks, write the template to the delivery bucket when the pack
  names one (archive.py), then in one transaction write the rules, queue their first
  evaluations and set CREATE_COMPLETE / UPDATE_COMPLETE. A rule AWS would refuse, a rule
  name already taken, a missing recorder or the rule quota fail the pack at once
  (CREATE_FAILED / UPDATE_FAILED with a reason naming the cause; no rule is written, and
  a failed update keeps what was deployed).
* delete: in one transaction delete the pack's rules, their results and the pack.

Anything else that goes wrong (the delivery bucket is missing or refuses the write, S3
or the store cannot be reached) is retried with exponential backoff, the pack staying in
progress with a status reason that says what failed and until when it is retried;
``RETRY_DEADLINE_SECONDS`` after the request the pack fails (CREATE_FAILED,
UPDATE_FAILED or DELETE_FAILED) with that reason. The request, the attempts and the next
retry time live in the pack's row, so a restart resumes where the last process stopped.
Every write re-reads the pack under the partition's rules lock and acts only if it still
waits on the same request, so two workers on one store never carry one out twice.

``deployment_delay`` (setting ``conformance_pack_deployment_delay``) holds every request
back for that many seconds of the runtime clock: AWS's own deployments take a while, and
with a delay a client's wait loop meets the *_IN_PROGRESS states as it would in AWS.
"""

from __future__ import annotations

import logging
import random
from dataclasses import replace

from sqlalchemy import Connection

from configledger.background import StepLoop
from configledger.clock import Clock, iso_ms
from configledger.delivery.clients import DeliveryClients
from configledger.rules.conformance import apply
from configledger.rules.conformance.archive import TemplateNotStored, store_template, template_key
from configledger.rules.conformance.deploy import Check, Plan, RuleFailed, plan
from configledger.rules.conformance.stack import resolve
from configledger.rules.conformance.template import TemplateError
from configledger.store import conformance as store
from configledger.store import recorders as recorder_store
from configledger.store import rules as rule_store
from configledger.store.conformance import (
    CREATE_IN_PROGRESS,
    DELETE_IN_PROGRESS,
    UPDATE_IN_PROGRESS,
    PackRequest,
    StoredPack,
)
from configledger.store.database import Database

log = logging.getLogger("configledger.conformance")

# How long after its request (and the deployment delay) a request that keeps failing is
# retried before the pack fails with the last error.
RETRY_DEADLINE_SECONDS = 600
MAX_REASON = 2000
_VERB = {CREATE_IN_PROGRESS: "create", UPDATE_IN_PROGRESS: "update", DELETE_IN_PROGRESS: "delete"}
_NOUN = {"create": "creation", "update": "update", "delete": "deletion"}


class _Failed(Exception):
    """The request cannot be carried out: the pack fails with this reason."""


def _reason(text: str) -> str:
    return text if len(text) <= MAX_REASON else text[: MAX_REASON - 3] + "..."


class PackDeployer:
    """One pass over the packs in progress; ``ConformanceWorker`` runs it in a loop."""

    def __init__(
        self,
        database: Database,
        clock: Clock,
        clients: DeliveryClients,
        check: Check,
        *,
        max_config_rules: int,
        deployment_delay: int = 0,
        retry_max_seconds: int = 300,
    ) -> None:
        self.database = database
        self.clock = clock
        self.clients = clients
        self.check = check
        self.max_config_rules = max_config_rules
        self.delay_ms = max(0, deployment_delay) * 1000
        self.retry_max_ms = max(1, retry_max_seconds) * 1000

    def step(self) -> bool:
        """Carry out every request that is due; whether there was one."""
        now = self.clock.now_ms()
        with self.database.read() as conn:
            packs = store.in_progress(conn)
        busy = False
        for pack in packs:
            if self._due(pack, now):
                self.carry_out(pack)
                busy = True
        return busy

    def _start_ms(self, pack: StoredPack) -> int:
        requested = pack.pending.requested_ms if pack.pending else pack.requested_ms
        return requested + self.delay_ms

    def _due(self, pack: StoredPack, now: int) -> bool:
        if now < self._start_ms(pack):
            return False
        retry_at = pack.pending.retry_at_ms if pack.pending else None
        return retry_at is None or now >= retry_at

    def carry_out(self, pack: StoredPack) -> None:
        try:
            if pack.state == DELETE_IN_PROGRESS:
                self._delete(pack)
            else:
                self._deploy(pack)
        except _Failed as failure:
            self._fail(pack, str(failure))
        except Exception as error:
            message = str(error) if isinstance(error, TemplateNotStored) else repr(error)
            log.warning(
                "conformance pack %s of %s/%s: %s (retried)",
                pack.name, pack.account_id, pack.region, message,
            )  # fmt: skip
            self._retry(pack, message)

    # -- create and update ----------------------------------------------------------------

    def _deploy(self, pack: StoredPack) -> None:
        if pack.pending is None or pack.pending.request is None:
            raise _Failed("the request of this deployment is not recorded; put the pack again")
        request = pack.pending.request
        planned = self._plan(pack, request)
        with self.database.read() as conn:
            blocked = apply.obstacle(
                conn, pack.account_id, pack.region, pack.name, planned, self.max_config_rules
            )
            recorders = recorder_store.list_recorders(conn, pack.account_id, pack.region)
        if blocked is not None:
            raise _Failed(blocked)
        if request.delivery_s3_bucket:
            role_arn = recorders[0].role_arn if recorders else None
            s3 = self.clients.client("s3", pack.account_id, pack.region, role_arn)
            key = template_key(
                pack.account_id, pack.region, request.delivery_s3_key_prefix, pack.name,
                pack.pack_id,
            )  # fmt: skip
            store_template(s3, request.delivery_s3_bucket, key, request.template)
        with self.database.write() as conn:
            rule_store.lock_rules(conn, pack.account_id, pack.region)
            current = _same_request(conn, pack)
            if current is None:
                return
            now = self.clock.now_ms()
            blocked = apply.obstacle(
                conn, pack.account_id, pack.region, pack.name, planned, self.max_config_rules
            )
            if blocked is not None:
                store.update_pack(conn, _failed(current, blocked))
                return
            apply.deploy_rules(conn, pack.account_id, pack.region, pack.name, planned, now)
            verb = _VERB[current.state].upper()
            notes = " ".join(note + "." for note in planned.notes())
            store.update_pack(
                conn,
                replace(
                    current.with_request(request),
                    state=f"{verb}_COMPLETE",
                    status_reason=_reason(notes) if notes else None,
                    completed_ms=now,
                    pending=None,
                ),
            )

    def _plan(self, pack: StoredPack, request: PackRequest) -> Plan:
        inputs = {p["ParameterName"]: p["ParameterValue"] for p in request.input_parameters}
        try:
            template = resolve(
                request.template, inputs, pack.account_id, pack.region, pack.name, pack.pack_id
            )
            return plan(template, self.check)
        except (TemplateError, RuleFailed) as exc:
            raise _Failed(str(exc)) from None
        except RecursionError:
            raise _Failed("Template format error: the template nests too deeply") from None

    # -- delete -----------------------------------------------------------------------------

    def _delete(self, pack: StoredPack) -> None:
        with self.database.write() as conn:
            rule_store.lock_rules(conn, pack.account_id, pack.region)
            current = _same_request(conn, pack)
            if current is not None:
                apply.remove_pack(conn, current, self.clock.now_ms())

    # -- failure and retry ----------------------------------------------------------------

    def _fail(self, pack: StoredPack, reason: str) -> None:
        with self.database.write() as conn:
            rule_store.lock_rules(conn, pack.account_id, pack.region)
            current = _same_request(conn, pack)
            if current is not None:
                store.update_pack(conn, _failed(current, reason))

    def _retry(self, pack: StoredPack, message: str) -> None:
        now = self.clock.now_ms()
        deadline = self._start_ms(pack) + RETRY_DEADLINE_SECONDS * 1000
        if pack.pending is None or now >= deadline:
            self._fail(pack, message)
            return
        attempts = pack.pending.attempts + 1
        backoff = min(self.retry_max_ms, 1000 * 2 ** min(attempts - 1, 30))
        retry_at = min(deadline, now + int(backoff * random.uniform(0.5, 1.0)))
        noun = _NOUN[_VERB[pack.state]]
        reason = (
            f"Attempt {attempts} failed: {message}. Retried until {iso_ms(deadline)}; then "
            f"the {noun} fails."
        )
        with self.database.write() as conn:
            rule_store.lock_rules(conn, pack.account_id, pack.region)
            current = _same_request(conn, pack)
            if current is None or current.pending is None:
                return
            pending = replace(
                current.pending, attempts=attempts, retry_at_ms=retry_at, last_error=message
            )
            store.update_pack(
                conn, replace(current, status_reason=_reason(reason), pending=pending)
            )


def _same_request(conn: Connection, pack: StoredPack) -> StoredPack | None:
    """The pack as stored now, if it still waits on the request ``pack`` waits on."""
    current = store.get_pack(conn, pack.account_id, pack.region, pack.name)
    if current is None or current.state != pack.state or current.pack_id != pack.pack_id:
        return None
    ours = pack.pending.requested_ms if pack.pending is not None else None
    theirs = current.pending.requested_ms if current.pending is not None else None
    return current if ours == theirs else None


def _failed(pack: StoredPack, reason: str) -> StoredPack:
    """The pack once its request failed: a failed creation shows what was asked for, a
    failed update keeps what was deployed."""
    verb = _VERB[pack.state]
    return replace(
        pack,
        state=f"{verb.upper()}_FAILED",
        status_reason=_reason(f"Conformance pack {verb} failed: {reason}"),
        pending=None,
    )


class ConformanceWorker(StepLoop):
    """The deployer's background loop: packs stay in progress in the store until a
    step carries their request out."""

    def __init__(self, deployer: PackDeployer, *, poll: float = 0.25) -> None:
        super().__init__("conformance", deployer.step, poll=poll, log=log)
        self.deployer = deployer
