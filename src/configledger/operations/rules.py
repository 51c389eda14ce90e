"""Config rules and evaluations (spec 2.5, 7.1-7.6)."""

from __future__ import annotations

import secrets
import string
from typing import Any

from sqlalchemy import Connection

from configledger.api.context import RequestContext
from configledger.api.paging import page_size
from configledger.errors import (
    AccessDeniedException,
    InvalidParameterValueException,
    LimitExceededException,
    MaxNumberOfConfigRulesExceededException,
    NoAvailableConfigurationRecorderException,
    NoSuchConfigRuleException,
    ResourceInUseException,
    TooManyTagsException,
)
from configledger.operations.custom_rules import check_custom_source
from configledger.operations.registry import Request, Response, operation
from configledger.operations.tags import missing_key_errors, raise_validation, taggable
from configledger.rules import compliance
from configledger.rules.definition import CUSTOM_POLICY, PROCESS_CHECK, definition, normalise
from configledger.rules.engine import announce_compliance_change, apply_results, request_evaluation
from configledger.rules.tokens import result_tokens
from configledger.rules.types import ACCOUNT
from configledger.store import evaluations as results_store
from configledger.store import outbox
from configledger.store import recorders as recorder_store
from configledger.store import remediation as remediation_store
from configledger.store import rules as store
from configledger.store import tags as tag_store
from configledger.store.evaluations import Result
from configledger.store.rules import StoredRule

MAX_TAGS = 50
MAX_RULES_PER_START = 25
START_INTERVAL_MS = 60_000
DESCRIBE_PAGE = 25
_ID_ALPHABET = string.ascii_lowercase + string.digits


def no_such_rule(name: str) -> NoSuchConfigRuleException:
    return NoSuchConfigRuleException(
        f"The ConfigRule '{name}' provided in the request is invalid. Please check the "
        "configRule name"
    )


def find_rule(ctx: RequestContext, conn: Connection, name: str) -> StoredRule:
    rule = store.get_rule(conn, ctx.account_id, ctx.region, name)
    if rule is None:
        raise no_such_rule(name)
    return rule


def _in_use(rule: StoredRule) -> ResourceInUseException:
    activity = "deleted" if rule.state.startswith("DELET") else "evaluated"
    return ResourceInUseException(
        f"The rule {rule.name} is currently being {activity}.  Please retry after some time"
    )


def _refuse_service_linked(rule: StoredRule) -> None:
    """Rules a service created (a conformance pack's) change only through that service."""
    if rule.document.get("CreatedBy"):
        raise AccessDeniedException(
            "An AWS service owns ServiceLinkedConfigRule. You do not have permissions to take "
            "action on this rule."
        )


def rule_to_api(rule: StoredRule) -> dict[str, Any]:
    """The ``ConfigRule`` DescribeConfigRules returns (without a Guard rule's text, which
    GetCustomRulePolicy serves)."""
    document = rule.document
    source = dict(document["Source"])
    if "CustomPolicyDetails" in source:
        source["CustomPolicyDetails"] = {
            k: v for k, v in source["CustomPolicyDetails"].items() if k != "PolicyText"
        }
    out: dict[str, Any] = {
        "ConfigRuleName": rule.name,
        "ConfigRuleArn": rule.arn,
        "ConfigRuleId": rule.rule_id,
    }
    for key in ("Description", "Scope"):
        if key in document:
            out[key] = document[key]
    out["Source"] = source
    for key in ("InputParameters", "MaximumExecutionFrequency"):
        if key in document:
            out[key] = document[key]
    out["ConfigRuleState"] = rule.state
    out["EvaluationModes"] = document.get("EvaluationModes") or [{"Mode": "DETECTIVE"}]
    if "RuleEvaluationVisibility" in document:
        out["RuleEvaluationVisibility"] = document["RuleEvaluationVisibility"]
    if "CreatedBy" in document:
        out["CreatedBy"] = document["CreatedBy"]
    return out


@taggable("config-rule")
def _rule_exists(conn: Connection, ctx: RequestContext, arn: str) -> bool:
    return store.find_rule(conn, ctx.account_id, ctx.region, arn=arn) is not None


def _next_periodic(document: dict[str, Any], name: str, rule_id: str, now_ms: int) -> int | None:
    """When a periodic rule's first scheduled evaluation is due (one period after it is
    put: putting it already evaluates it)."""
    period = definition(name, rule_id, "", document).period_ms
    return now_ms + period if period else None


@operation("PutConfigRule")
def put_config_rule(ctx: RequestContext, request: Request) -> Response:
    given = request["ConfigRule"]
    tags = request.get("Tags") or []
    raise_validation(missing_key_errors(tags))
    document = normalise(given)
    check_custom_source(ctx, document)
    name, rule_id, arn = (
        given.get("ConfigRuleName"),
        given.get("ConfigRuleId"),
        given.get("ConfigRuleArn"),
    )
    with ctx.database.write() as conn:
        store.lock_rules(conn, ctx.account_id, ctx.region)
        existing = store.find_rule(
            conn, ctx.account_id, ctx.region, name=name, rule_id=rule_id, arn=arn
        )
        if name is None and existing is None:
            raise InvalidParameterValueException(
                "One or more identifiers needs to be provided. Provide Name or Id or Arn"
            )
        if existing is not None:
            _refuse_service_linked(existing)
            if existing.state != "ACTIVE":
                raise _in_use(existing)
            if (rule_id and rule_id != existing.rule_id) or (arn and arn != existing.arn):
                raise InvalidParameterValueException(
                    f"The ConfigRule Arn or Id provided do not match the ConfigRule "
                    f"'{existing.name}'."
                )
            store.update_rule(
                conn,
                existing,
                document=document,
                next_periodic_ms=_next_periodic(
                    document, existing.name, existing.rule_id, ctx.now_ms
                ),
            )
            request_evaluation(
                conn, existing, ctx.account_id, ctx.region, reason="updated", now_ms=ctx.now_ms
            )
            return {}
        assert name is not None
        if rule_id or arn:
            raise InvalidParameterValueException(
                "ConfigRule Arn and Id can not be specified when creating a new ConfigRule. "
                "ConfigRule Arn and Id are generated by the service. Please try the request "
                "again without specifying ConfigRule Arn or Id"
            )
        if not recorder_store.list_recorders(conn, ctx.account_id, ctx.region):
            raise NoAvailableConfigurationRecorderException(
                "There are no configuration recorders available to provide the ConfigRule "
                f"'{name}' with the required data. Create a configuration recorder first."
            )
        limit = ctx.runtime.settings.max_config_rules
        if store.count_rules(conn, ctx.account_id, ctx.region) >= limit:
            raise MaxNumberOfConfigRulesExceededException(
                f"Failed to put config rule '{name}' because the maximum number of config "
                f"rules: {limit} is reached."
            )
        new_tags = {tag["Key"]: tag.get("Value", "") for tag in tags}
        if len(new_tags) > MAX_TAGS:
            raise TooManyTagsException(
                f"The ConfigRule '{name}' cannot have more than {MAX_TAGS} tags."
            )
        new_id = "config-rule-" + "".join(secrets.choice(_ID_ALPHABET) for _ in range(6))
        new_arn = ctx.arn(f"config-rule/{new_id}")
        store.insert_rule(
            conn,
            account_id=ctx.account_id,
            region=ctx.region,
            name=name,
            rule_id=new_id,
            arn=new_arn,
            document=document,
            now_ms=ctx.now_ms,
            next_periodic_ms=_next_periodic(document, name, new_id, ctx.now_ms),
        )
        if new_tags:
            tag_store.set_tags(conn, ctx.account_id, ctx.region, new_arn, new_tags)
        created = store.get_rule(conn, ctx.account_id, ctx.region, name)
        assert created is not None
        request_evaluation(
            conn, created, ctx.account_id, ctx.region, reason="created", now_ms=ctx.now_ms
        )
        _announce_start(ctx, conn, [name])
    return {}


def _announce_start(ctx: RequestContext, conn: Connection, names: list[str]) -> None:
    message = compliance.evaluation_started(
        account_id=ctx.account_id, region=ctx.region, rule_names=names, now_ms=ctx.now_ms
    )
    outbox.publish(
        conn,
        ctx.account_id,
        ctx.region,
        compliance.EVALUATION_STARTED,
        {"message": message},
        now_ms=ctx.now_ms,
    )


def named_rules(ctx: RequestContext, conn: Connection, names: list[str] | None) -> list[StoredRule]:
    """The rules named (all when None), NoSuchConfigRuleException for a missing one."""
    found = store.list_rules(conn, ctx.account_id, ctx.region, names)
    if names:
        present = {rule.name for rule in found}
        for name in names:
            if name not in present:
                raise no_such_rule(name)
    return found


@operation("DescribeConfigRules")
def describe_config_rules(ctx: RequestContext, request: Request) -> Response:
    names = request.get("ConfigRuleNames") or None
    filters = request.get("Filters") or {}
    bound = [ctx.account_id, ctx.region, names, filters]
    start = 0
    if request.get("NextToken"):
        start = int(ctx.runtime.tokens.open(request["NextToken"], "DescribeConfigRules", bound))
    with ctx.database.read() as conn:
        rules = named_rules(ctx, conn, names)
    described = [rule_to_api(rule) for rule in rules]
    if "EvaluationMode" in filters:
        described = [
            r
            for r in described
            if any(m.get("Mode") == filters["EvaluationMode"] for m in r["EvaluationModes"])
        ]
    if "RuleEvaluationVisibility" in filters:
        wanted = filters["RuleEvaluationVisibility"]
        described = [
            r for r in described if r.get("RuleEvaluationVisibility", "EXTERNAL") == wanted
        ]
    out: Response = {"ConfigRules": described[start : start + DESCRIBE_PAGE]}
    if start + DESCRIBE_PAGE < len(described):
        out["NextToken"] = ctx.runtime.tokens.issue(
            "DescribeConfigRules", bound, start + DESCRIBE_PAGE
        )
    return out


@operation("DeleteConfigRule")
def delete_config_rule(ctx: RequestContext, request: Request) -> Response:
    name = request["ConfigRuleName"]
    with ctx.database.write() as conn:
        store.lock_rules(conn, ctx.account_id, ctx.region)
        rule = find_rule(ctx, conn, name)
        _refuse_service_linked(rule)
        if rule.state.startswith("DELET"):
            raise _in_use(rule)
        if remediation_store.configurations(conn, ctx.account_id, ctx.region, [name]):
            # AWS keeps a rule while a remediation action names it.
            raise ResourceInUseException(
                f"The rule {name} is currently in use by a remediation action. "
                "Please delete the remediation action first."
            )
        keys = results_store.delete_for_rule(conn, ctx.account_id, ctx.region, name)
        store.delete_rule(conn, rule)
        tag_store.remove_tags(conn, ctx.account_id, ctx.region, rule.arn)
        announce_compliance_change(conn, ctx.account_id, ctx.region, keys, ctx.now_ms)
    return {}


@operation("DeleteEvaluationResults")
def delete_evaluation_results(ctx: RequestContext, request: Request) -> Response:
    name = request["ConfigRuleName"]
    with ctx.database.write() as conn:
        store.lock_rules(conn, ctx.account_id, ctx.region)
        rule = find_rule(ctx, conn, name)
        if rule.state != "ACTIVE":
            raise _in_use(rule)
        keys = results_store.delete_for_rule(conn, ctx.account_id, ctx.region, name)
        announce_compliance_change(conn, ctx.account_id, ctx.region, keys, ctx.now_ms)
    return {}


def _seconds(ms: int | None) -> float | None:
    return None if ms is None else ms / 1000


@operation("DescribeConfigRuleEvaluationStatus")
def describe_config_rule_evaluation_status(ctx: RequestContext, request: Request) -> Response:
    names = request.get("ConfigRuleNames") or None
    limit = page_size(request.get("Limit"), default=50, maximum=50)
    bound = [ctx.account_id, ctx.region, names]
    start = 0
    if request.get("NextToken"):
        start = int(
            ctx.runtime.tokens.open(
                request["NextToken"], "DescribeConfigRuleEvaluationStatus", bound
            )
        )
    with ctx.database.read() as conn:
        rules = named_rules(ctx, conn, names)
    statuses = []
    for rule in rules[start : start + limit]:
        entry: dict[str, Any] = {
            "ConfigRuleName": rule.name,
            "ConfigRuleArn": rule.arn,
            "ConfigRuleId": rule.rule_id,
            "LastSuccessfulInvocationTime": _seconds(rule.last_success_invocation_ms),
            "LastFailedInvocationTime": _seconds(rule.last_failed_invocation_ms),
            "LastSuccessfulEvaluationTime": _seconds(rule.last_success_evaluation_ms),
            "LastFailedEvaluationTime": _seconds(rule.last_failed_evaluation_ms),
            "FirstActivatedTime": rule.created_ms / 1000,
            "LastErrorCode": rule.last_error_code,
            "LastErrorMessage": rule.last_error_message,
            "FirstEvaluationStarted": rule.first_evaluation_started,
        }
        statuses.append({k: v for k, v in entry.items() if v is not None})
    out: Response = {"ConfigRulesEvaluationStatus": statuses}
    if start + limit < len(rules):
        out["NextToken"] = ctx.runtime.tokens.issue(
            "DescribeConfigRuleEvaluationStatus", bound, start + limit
        )
    return out


@operation("StartConfigRulesEvaluation")
def start_config_rules_evaluation(ctx: RequestContext, request: Request) -> Response:
    names = list(dict.fromkeys(request.get("ConfigRuleNames") or []))
    if not names:
        raise InvalidParameterValueException(
            "Provide at least one ConfigRule name to evaluate in ConfigRuleNames."
        )
    if len(names) > MAX_RULES_PER_START:
        raise InvalidParameterValueException(
            f"You can specify up to {MAX_RULES_PER_START} ConfigRule names per request."
        )
    with ctx.database.write() as conn:
        store.lock_rules(conn, ctx.account_id, ctx.region)
        rules = named_rules(ctx, conn, names)
        for rule in rules:
            if rule.state.startswith("DELET"):
                raise _in_use(rule)
            if rule.state == "EVALUATING":
                raise LimitExceededException(
                    f"An evaluation is already in progress for the ConfigRule '{rule.name}'."
                )
            if (
                rule.last_manual_ms is not None
                and ctx.now_ms - rule.last_manual_ms < START_INTERVAL_MS
            ):
                raise LimitExceededException(
                    f"StartConfigRulesEvaluation was called for the ConfigRule '{rule.name}' "
                    "less than a minute ago. Try again later."
                )
        for rule in rules:
            store.update_rule(conn, rule, state="EVALUATING", last_manual_ms=ctx.now_ms)
            request_evaluation(
                conn, rule, ctx.account_id, ctx.region, reason="manual", now_ms=ctx.now_ms
            )
        _announce_start(ctx, conn, [rule.name for rule in rules])
    return {}


def _check_compliance_type(value: str) -> None:
    if value == compliance.INSUFFICIENT_DATA:
        raise InvalidParameterValueException(
            "The ComplianceType INSUFFICIENT_DATA is not valid for an evaluation. "
            "Use COMPLIANT, NON_COMPLIANT or NOT_APPLICABLE."
        )


def _store_results(
    ctx: RequestContext, conn: Connection, rule: StoredRule, results: list[Result]
) -> None:
    old = {
        (r.rule_name, r.resource_type, r.resource_id): r
        for r in results_store.for_resources(
            conn, ctx.account_id, ctx.region, [r.key for r in results]
        )
        if r.rule_name == rule.name
    }
    apply_results(conn, ctx.account_id, ctx.region, results, old, {rule.name: rule.arn}, ctx.now_ms)
    store.update_rule(
        conn,
        rule,
        last_success_evaluation_ms=ctx.now_ms,
        first_evaluation_started=True,
    )


@operation("PutEvaluations")
def put_evaluations(ctx: RequestContext, request: Request) -> Response:
    evaluations = request.get("Evaluations")
    if evaluations is None:
        raise InvalidParameterValueException(
            "The Evaluations object in your request cannot be null."
        )
    for evaluation in evaluations:
        _check_compliance_type(evaluation["ComplianceType"])
    if request.get("TestMode"):
        return {"FailedEvaluations": []}
    invocation = result_tokens(ctx.database).open(
        request["ResultToken"], ctx.account_id, ctx.region, ctx.now_ms
    )
    with ctx.database.write() as conn:
        store.lock_rules(conn, ctx.account_id, ctx.region)
        rule = store.get_rule(conn, ctx.account_id, ctx.region, invocation.rule_name)
        if rule is None or rule.rule_id != invocation.rule_id:
            raise no_such_rule(invocation.rule_name)
        results = {
            (e["ComplianceResourceType"], e["ComplianceResourceId"]): Result(
                rule_name=rule.name,
                resource_type=e["ComplianceResourceType"],
                resource_id=e["ComplianceResourceId"],
                compliance=e["ComplianceType"],
                annotation=e.get("Annotation"),
                ordering_ms=int(e["OrderingTimestamp"]),
                recorded_ms=ctx.now_ms,
                invoked_ms=invocation.invoked_ms,
                result_token=request["ResultToken"],
            )
            for e in evaluations
        }
        _store_results(ctx, conn, rule, list(results.values()))
    return {"FailedEvaluations": []}


@operation("PutExternalEvaluation")
def put_external_evaluation(ctx: RequestContext, request: Request) -> Response:
    name = request["ConfigRuleName"]
    evaluation = request["ExternalEvaluation"]
    _check_compliance_type(evaluation["ComplianceType"])
    with ctx.database.write() as conn:
        store.lock_rules(conn, ctx.account_id, ctx.region)
        rule = find_rule(ctx, conn, name)
        if rule.document["Source"].get("SourceIdentifier") != PROCESS_CHECK:
            raise InvalidParameterValueException(
                f"The ConfigRule '{name}' is not a process check rule: external evaluations "
                f"can be put only for rules with the SourceIdentifier {PROCESS_CHECK}."
            )
        if evaluation["ComplianceResourceType"] != ACCOUNT:
            raise InvalidParameterValueException(
                f"The ComplianceResourceType {evaluation['ComplianceResourceType']} is not valid "
                f"for an external evaluation; it must be {ACCOUNT}."
            )
        if evaluation["ComplianceResourceId"] != ctx.account_id:
            raise InvalidParameterValueException(
                f"The ComplianceResourceId {evaluation['ComplianceResourceId']} is not valid for "
                "an external evaluation; it must be the account id."
            )
        result = Result(
            rule_name=rule.name,
            resource_type=ACCOUNT,
            resource_id=ctx.account_id,
            compliance=evaluation["ComplianceType"],
            annotation=evaluation.get("Annotation"),
            ordering_ms=int(evaluation["OrderingTimestamp"]),
            recorded_ms=ctx.now_ms,
            invoked_ms=ctx.now_ms,
        )
        _store_results(ctx, conn, rule, [result])
        store.update_rule(conn, rule, last_success_invocation_ms=ctx.now_ms)
    return {}


@operation("GetCustomRulePolicy")
def get_custom_rule_policy(ctx: RequestContext, request: Request) -> Response:
    name = request.get("ConfigRuleName") or ""
    with ctx.database.read() as conn:
        rule = find_rule(ctx, conn, name)
    if rule.owner != CUSTOM_POLICY:
        return {}
    return {"PolicyText": rule.document["Source"]["CustomPolicyDetails"]["PolicyText"]}
