"""A pack's rules written and removed in the caller's transaction.

``obstacle`` says why a planned deployment cannot happen in the partition as it stands
(no recorder, a rule name taken, the rule quota); ``deploy_rules`` brings the pack's
rules to the plan (creating, updating and deleting rules, queueing their first
evaluations) and records what the pack holds; ``remove_pack`` deletes the pack, its
rules and their results. The caller holds the partition's rules lock
(``store.rules.lock_rules``), so the checks and the writes see the same rules.
"""

from __future__ import annotations

import secrets
import string
from typing import Any

from sqlalchemy import Connection

from configledger.rules import compliance
from configledger.rules.conformance.deploy import Plan
from configledger.rules.conformance.stack import rule_arn
from configledger.rules.definition import definition
from configledger.rules.engine import announce_compliance_change, request_evaluation
from configledger.store import conformance as store
from configledger.store import evaluations as results_store
from configledger.store import outbox
from configledger.store import recorders as recorder_store
from configledger.store import rules as rule_store
from configledger.store import tags as tag_store
from configledger.store.conformance import PackResource, StoredPack

_ID_ALPHABET = string.ascii_lowercase + string.digits


def pack_rule_names(conn: Connection, account_id: str, region: str, pack_name: str) -> list[str]:
    """The names of the rules a pack deployed, in name order."""
    return sorted(
        r.rule_name
        for r in store.resources(conn, account_id, region, [pack_name])
        if r.resource_type == store.RULE
    )


def obstacle(
    conn: Connection, account_id: str, region: str, pack_name: str, planned: Plan, max_rules: int
) -> str | None:
    """Why ``planned`` cannot be deployed now (the pack fails with it); None if it can."""
    if not recorder_store.list_recorders(conn, account_id, region):
        first = planned.rules[0].name
        return (
            "There are no configuration recorders available to provide the ConfigRule "
            f"'{first}' with the required data. Create a configuration recorder first."
        )
    owned = set(pack_rule_names(conn, account_id, region, pack_name))
    live = {rule.name for rule in rule_store.list_rules(conn, account_id, region)}
    wanted = {rule.name for rule in planned.rules}
    for rule in planned.rules:
        if rule.name in live and rule.name not in owned:
            return (
                f"Resource {rule.logical_id} (AWS::Config::ConfigRule): a config rule named "
                f"{rule.name} already exists"
            )
    after = len(live) - len(owned - wanted) + len(wanted - owned)
    if after > max_rules:
        return (
            f"Failed to put config rule '{sorted(wanted - owned)[0]}' because the maximum "
            f"number of config rules: {max_rules} is reached."
        )
    return None


def deploy_rules(
    conn: Connection, account_id: str, region: str, pack_name: str, planned: Plan, now_ms: int
) -> None:
    """Bring the pack's rules to ``planned`` (``obstacle`` found nothing in the way)."""
    owned = set(pack_rule_names(conn, account_id, region, pack_name))
    live = {rule.name: rule for rule in rule_store.list_rules(conn, account_id, region)}
    wanted = {rule.name for rule in planned.rules}
    changed_keys: list[tuple[str, str]] = []
    for name in sorted(owned - wanted):
        changed_keys += results_store.delete_for_rule(conn, account_id, region, name)
        if name in live:
            rule_store.delete_rule(conn, live[name])
            tag_store.remove_tags(conn, account_id, region, live[name].arn)
    started: list[str] = []
    for rule in planned.rules:
        current = live.get(rule.name)
        if current is None:
            rule_id = "config-rule-" + "".join(secrets.choice(_ID_ALPHABET) for _ in range(6))
            arn = rule_arn(account_id, region, rule_id)
            created = definition(rule.name, rule_id, arn, rule.document)
            rule_store.insert_rule(
                conn,
                account_id=account_id,
                region=region,
                name=rule.name,
                rule_id=rule_id,
                arn=arn,
                document=rule.document,
                now_ms=now_ms,
                next_periodic_ms=now_ms + created.period_ms if created.period_ms else None,
            )
            request_evaluation(conn, created, account_id, region, reason="created", now_ms=now_ms)
            started.append(rule.name)
        elif current.document != rule.document:
            rule_store.update_rule(
                conn,
                current,
                document=rule.document,
                next_periodic_ms=_next_periodic(rule.document, rule.name, current.rule_id, now_ms),
            )
            request_evaluation(conn, current, account_id, region, reason="updated", now_ms=now_ms)
    if started:
        message = compliance.evaluation_started(
            account_id=account_id, region=region, rule_names=started, now_ms=now_ms
        )
        outbox.publish(
            conn, account_id, region, compliance.EVALUATION_STARTED, {"message": message},
            now_ms=now_ms,
        )  # fmt: skip
    announce_compliance_change(conn, account_id, region, changed_keys, now_ms)
    entries = [
        PackResource(pack_name, r.logical_id, store.RULE, r.name, None, r.not_evaluated)
        for r in planned.rules
    ] + [
        PackResource(pack_name, r.logical_id, store.REMEDIATION, r.rule_name, r.configuration, None)
        for r in planned.remediations
    ]
    store.replace_resources(conn, account_id, region, pack_name, entries)


def remove_pack(conn: Connection, pack: StoredPack, now_ms: int) -> None:
    """Delete the pack, its rules and their results, and its tags."""
    account_id, region = pack.account_id, pack.region
    keys: list[tuple[str, str]] = []
    for rule_name in pack_rule_names(conn, account_id, region, pack.name):
        rule = rule_store.get_rule(conn, account_id, region, rule_name)
        keys += results_store.delete_for_rule(conn, account_id, region, rule_name)
        if rule is not None:
            rule_store.delete_rule(conn, rule)
            tag_store.remove_tags(conn, account_id, region, rule.arn)
    store.delete_pack(conn, account_id, region, pack.name)
    tag_store.remove_tags(conn, account_id, region, pack.arn)
    announce_compliance_change(conn, account_id, region, keys, now_ms)


def _next_periodic(document: dict[str, Any], name: str, rule_id: str, now_ms: int) -> int | None:
    period = definition(name, rule_id, "", document).period_ms
    return now_ms + period if period else None
