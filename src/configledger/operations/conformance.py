"""Conformance packs (spec 2.7, 9.1): a template of rules deployed, reported and deleted
as one.

PutConformancePack reads the template (TemplateBody, an ``s3://`` object or an SSM
document, through the account's boto3 session: the sandbox or the real account) and
resolves it with its parameters; a template AWS refuses outright gets
ConformancePackTemplateValidationException in the request, and nothing is written.
Otherwise the request is recorded on the pack, CREATE_IN_PROGRESS (UPDATE_IN_PROGRESS
for a pack that exists), and the pack's ARN returned; DeleteConformancePack records
DELETE_IN_PROGRESS. Both refuse a pack that is in progress with ResourceInUseException,
as AWS does. The conformance worker (rules/conformance/deployment.py) carries the
request out: it writes the template to the DeliveryS3Bucket, creates, updates or deletes
the pack's rules (service-linked: ``CreatedBy`` config-conforms.amazonaws.com, named
``<name>-<pack id>``) and moves the state to *_COMPLETE or *_FAILED with a reason. The
reason of a complete pack lists the rules ConfigLedger does not evaluate and says that
remediations are not applied.
"""

from __future__ import annotations

import secrets
import string
from dataclasses import replace
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError
from sqlalchemy import Connection

from configledger.api import model
from configledger.api.context import RequestContext
from configledger.api.paging import page_size
from configledger.api.validation import validate_request
from configledger.errors import (
    ConformancePackTemplateValidationException,
    InsufficientPermissionsException,
    InvalidParameterValueException,
    MaxNumberOfConformancePacksExceededException,
    NoSuchConfigRuleInConformancePackException,
    NoSuchConformancePackException,
    ResourceInUseException,
    TooManyTagsException,
    ValidationException,
)
from configledger.operations.registry import Request, Response, operation
from configledger.operations.tags import missing_key_errors, raise_validation, taggable
from configledger.recorder.sessions import Sessions
from configledger.rules import compliance
from configledger.rules.conformance import rollup
from configledger.rules.conformance.apply import pack_rule_names
from configledger.rules.conformance.stack import resolve, stack_arn
from configledger.rules.conformance.template import TemplateError
from configledger.store import conformance as store
from configledger.store import evaluations as results_store
from configledger.store import recorders as recorder_store
from configledger.store import rules as rule_store
from configledger.store import tags as tag_store
from configledger.store.conformance import (
    CREATE_IN_PROGRESS,
    DELETE_IN_PROGRESS,
    UPDATE_IN_PROGRESS,
    PackRequest,
    Pending,
    StoredPack,
)
from configledger.store.evaluations import COMPLIANT, NON_COMPLIANT

MAX_PACKS = 50  # conformance packs per account and region (AWS's quota)
MAX_TAGS = 50
MAX_S3_TEMPLATE = 300 * 1024  # bytes, AWS's limit for TemplateS3Uri
PACK_PAGE = 20
COMPLIANCE_PAGE = 1000
DETAILS_PAGE = 100
CUSTOM = "CUSTOM"
_ID_ALPHABET = string.ascii_lowercase + string.digits


def _template_error(detail: str) -> ConformancePackTemplateValidationException:
    return ConformancePackTemplateValidationException(
        f"Invalid conformance pack template provided. Errors found: [{detail}]. "
        "Fix your template and try again."
    )


def _no_such_packs() -> NoSuchConformancePackException:
    return NoSuchConformancePackException(
        "One or more conformance packs with specified names are not present. Ensure your "
        "names are correct and try your request again later."
    )


def _find_pack(ctx: RequestContext, conn: Connection, name: str) -> StoredPack:
    pack = store.get_pack(conn, ctx.account_id, ctx.region, name)
    if pack is None:
        raise _no_such_packs()
    return pack


def check(operation_name: str, body: dict[str, Any]) -> dict[str, Any]:
    """A body checked as the API checks a request of ``operation_name`` (the conformance
    worker checks a template's rules with it, as PutConfigRule would)."""
    found = model.operation(operation_name)
    assert found is not None
    return validate_request(found, body)


def _pack_rule_names(conn: Connection, ctx: RequestContext, pack_name: str) -> list[str]:
    """The names of the rules a pack deployed, in name order."""
    return pack_rule_names(conn, ctx.account_id, ctx.region, pack_name)


def _in_use(pack: StoredPack) -> ResourceInUseException:
    return ResourceInUseException(
        f"The conformance pack '{pack.name}' is {pack.state}: a conformance pack creation, "
        "update, or deletion is in progress. Try your request again later."
    )


@taggable("conformance-pack")
def _pack_exists(conn: Connection, ctx: RequestContext, arn: str) -> bool:
    return store.find_by_arn(conn, ctx.account_id, ctx.region, arn) is not None


# -- reading the template -----------------------------------------------------------------


def _sessions(ctx: RequestContext) -> Sessions:
    recorder = ctx.runtime.recorder
    if recorder is not None:
        return recorder.engine.sessions
    return Sessions(ctx.runtime.settings, ctx.runtime.credentials)


def _client(ctx: RequestContext, service: str) -> Any:
    with ctx.database.read() as conn:
        recorders = recorder_store.list_recorders(conn, ctx.account_id, ctx.region)
    role_arn = recorders[0].role_arn if recorders else None
    return _sessions(ctx).client(service, ctx.account_id, ctx.region, role_arn)


def _template_text(ctx: RequestContext, request: Request) -> str:
    sources = [k for k in ("TemplateBody", "TemplateS3Uri", "TemplateSSMDocumentDetails")
               if request.get(k)]  # fmt: skip
    if not sources:
        raise ValidationException("Template body is invalid")
    if len(sources) > 1:
        raise ValidationException(
            "You must specify only one of the following parameters: TemplateS3Uri, "
            "TemplateBody or TemplateSSMDocumentDetails."
        )
    if "TemplateBody" in sources:
        return str(request["TemplateBody"])
    if "TemplateS3Uri" in sources:
        return _read_s3(ctx, request["TemplateS3Uri"])
    return _read_ssm(ctx, request["TemplateSSMDocumentDetails"])


def _read_s3(ctx: RequestContext, uri: str) -> str:
    bucket, _, key = uri[len("s3://") :].partition("/")
    if not bucket or not key:
        raise InvalidParameterValueException(
            f"The TemplateS3Uri {uri} is not valid: it must name an object, s3://bucket/key."
        )
    try:
        answer = _client(ctx, "s3").get_object(Bucket=bucket, Key=key)
        body: bytes = answer["Body"].read(MAX_S3_TEMPLATE + 1)
    except ClientError as exc:
        code = str(exc.response.get("Error", {}).get("Code", ""))
        if code in ("NoSuchKey", "NoSuchBucket", "404"):
            raise _template_error(f"The template {uri} does not exist ({code})") from None
        raise InsufficientPermissionsException(
            f"AWS Config cannot read the conformance pack template {uri}: {code}. Check that "
            "the bucket policy allows the object to be read."
        ) from None
    except BotoCoreError as exc:
        raise InsufficientPermissionsException(
            f"AWS Config cannot read the conformance pack template {uri}: {exc}"
        ) from None
    if len(body) > MAX_S3_TEMPLATE:
        raise _template_error(f"The template {uri} is larger than the 300 KB allowed")
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        raise _template_error(f"The template {uri} is not UTF-8 text") from None


def _read_ssm(ctx: RequestContext, details: dict[str, Any]) -> str:
    params: dict[str, Any] = {"Name": details["DocumentName"]}
    if details.get("DocumentVersion"):
        params["DocumentVersion"] = details["DocumentVersion"]
    try:
        answer = _client(ctx, "ssm").get_document(**params)
    except ClientError as exc:
        code = str(exc.response.get("Error", {}).get("Code", ""))
        if code in ("InvalidDocument", "InvalidDocumentVersion"):
            raise _template_error(
                f"The SSM document {details['DocumentName']} does not exist ({code})"
            ) from None
        raise InsufficientPermissionsException(
            f"AWS Config cannot read the SSM document {details['DocumentName']}: {code}"
        ) from None
    except BotoCoreError as exc:
        raise InsufficientPermissionsException(
            f"AWS Config cannot read the SSM document {details['DocumentName']}: {exc}"
        ) from None
    return str(answer.get("Content") or "")


# -- PutConformancePack -------------------------------------------------------------------


@operation("PutConformancePack")
def put_conformance_pack(ctx: RequestContext, request: Request) -> Response:
    name = request["ConformancePackName"]
    if request.get("Source") or request.get("Scope"):
        raise InvalidParameterValueException(
            "ConfigLedger has no AWS managed conformance packs (Source, Scope): deploy the "
            "pack from its template with TemplateBody, TemplateS3Uri or "
            "TemplateSSMDocumentDetails."
        )
    tags = request.get("Tags") or []
    raise_validation(missing_key_errors(tags))
    new_tags = {tag["Key"]: tag.get("Value", "") for tag in tags}
    if len(new_tags) > MAX_TAGS:
        raise TooManyTagsException(
            f"The ConformancePack '{name}' cannot have more than {MAX_TAGS} tags."
        )
    given_inputs = list(request.get("ConformancePackInputParameters") or [])
    inputs = {p["ParameterName"]: p["ParameterValue"] for p in given_inputs}
    with ctx.database.read() as conn:
        before = store.get_pack(conn, ctx.account_id, ctx.region, name)
    if before is not None and before.in_progress:
        raise _in_use(before)
    text = _template_text(ctx, request)
    pack_id = before.pack_id if before is not None else _new_pack_id()
    try:
        resolve(text, inputs, ctx.account_id, ctx.region, name, pack_id)
    except TemplateError as exc:
        raise _template_error(str(exc)) from None
    asked = PackRequest(
        template=text,
        template_s3_uri=request.get("TemplateS3Uri"),
        template_ssm_document=request.get("TemplateSSMDocumentDetails"),
        delivery_s3_bucket=request.get("DeliveryS3Bucket") or None,
        delivery_s3_key_prefix=request.get("DeliveryS3KeyPrefix") or None,
        input_parameters=given_inputs,
    )
    pending = Pending(requested_ms=ctx.now_ms, request=asked)
    with ctx.database.write() as conn:
        rule_store.lock_rules(conn, ctx.account_id, ctx.region)
        existing = store.get_pack(conn, ctx.account_id, ctx.region, name)
        if (existing is None) != (before is None) or (
            existing is not None and existing.pack_id != pack_id
        ):
            raise ResourceInUseException(
                f"The conformance pack {name} is being changed by another request. Try again."
            )
        if existing is not None and existing.in_progress:
            raise _in_use(existing)
        if existing is None:
            if store.count_packs(conn, ctx.account_id, ctx.region) >= MAX_PACKS:
                raise MaxNumberOfConformancePacksExceededException(
                    f"Failed to put conformance pack '{name}' because the maximum number of "
                    f"conformance packs: {MAX_PACKS} is reached."
                )
            pack = StoredPack(
                account_id=ctx.account_id,
                region=ctx.region,
                name=name,
                pack_id=pack_id,
                arn=ctx.arn(f"conformance-pack/{name}/{pack_id}"),
                state=CREATE_IN_PROGRESS,
                status_reason=None,
                template=text,
                template_s3_uri=asked.template_s3_uri,
                template_ssm_document=asked.template_ssm_document,
                delivery_s3_bucket=asked.delivery_s3_bucket,
                delivery_s3_key_prefix=asked.delivery_s3_key_prefix,
                input_parameters=given_inputs,
                created_ms=ctx.now_ms,
                requested_ms=ctx.now_ms,
                completed_ms=None,
                pending=pending,
            )
            store.insert_pack(conn, pack)
            if new_tags:
                tag_store.set_tags(conn, ctx.account_id, ctx.region, pack.arn, new_tags)
        else:
            # A pack whose creation failed is created anew; any other is updated, and
            # keeps what it deployed until the update completes.
            creating = existing.state == "CREATE_FAILED"
            pack = replace(
                existing.with_request(asked) if creating else existing,
                state=CREATE_IN_PROGRESS if creating else UPDATE_IN_PROGRESS,
                status_reason=None,
                requested_ms=ctx.now_ms,
                pending=pending,
            )
            store.update_pack(conn, pack)
    return {"ConformancePackArn": pack.arn}


def _new_pack_id() -> str:
    return "conformance-pack-" + "".join(secrets.choice(_ID_ALPHABET) for _ in range(8))


# -- describing ---------------------------------------------------------------------------


def _offset(ctx: RequestContext, request: Request, scope: str, bound: Any) -> int:
    if not request.get("NextToken"):
        return 0
    return int(ctx.runtime.tokens.open(request["NextToken"], scope, bound))


def _types_wanted(request: Request) -> bool:
    """Whether the Filters' Types admit custom (template) packs, the only kind here."""
    types = (request.get("Filters") or {}).get("Types")
    return not types or CUSTOM in types


@operation("DescribeConformancePacks")
def describe_conformance_packs(ctx: RequestContext, request: Request) -> Response:
    names = request.get("ConformancePackNames") or None
    limit = page_size(request.get("Limit"), default=PACK_PAGE, maximum=PACK_PAGE)
    bound = [ctx.account_id, ctx.region, names, request.get("Filters")]
    start = _offset(ctx, request, "DescribeConformancePacks", bound)
    with ctx.database.read() as conn:
        packs = store.list_packs(conn, ctx.account_id, ctx.region, names)
    if names and len({p.name for p in packs}) < len(set(names)):
        raise _no_such_packs()
    if not _types_wanted(request):
        packs = []
    details = []
    for pack in packs[start : start + limit]:
        shown = pack.shown  # while an update is in progress, what it asks for
        detail: dict[str, Any] = {
            "ConformancePackName": pack.name,
            "ConformancePackArn": pack.arn,
            "ConformancePackId": pack.pack_id,
            "ConformancePackInputParameters": shown.input_parameters,
            "LastUpdateRequestedTime": pack.requested_ms / 1000,
            "Type": CUSTOM,
        }
        if shown.delivery_s3_bucket is not None:
            detail["DeliveryS3Bucket"] = shown.delivery_s3_bucket
        if shown.delivery_s3_key_prefix is not None:
            detail["DeliveryS3KeyPrefix"] = shown.delivery_s3_key_prefix
        if shown.template_ssm_document is not None:
            detail["TemplateSSMDocumentDetails"] = shown.template_ssm_document
        details.append(detail)
    out: Response = {"ConformancePackDetails": details}
    if start + limit < len(packs):
        out["NextToken"] = ctx.runtime.tokens.issue(
            "DescribeConformancePacks", bound, start + limit
        )
    return out


@operation("DescribeConformancePackStatus")
def describe_conformance_pack_status(ctx: RequestContext, request: Request) -> Response:
    names = request.get("ConformancePackNames") or None
    limit = page_size(request.get("Limit"), default=PACK_PAGE, maximum=PACK_PAGE)
    bound = [ctx.account_id, ctx.region, names, request.get("Filters")]
    start = _offset(ctx, request, "DescribeConformancePackStatus", bound)
    with ctx.database.read() as conn:
        packs = store.list_packs(conn, ctx.account_id, ctx.region, names)
    if not _types_wanted(request):
        packs = []
    statuses = []
    for pack in packs[start : start + limit]:
        status: dict[str, Any] = {
            "ConformancePackName": pack.name,
            "ConformancePackId": pack.pack_id,
            "ConformancePackArn": pack.arn,
            "ConformancePackState": pack.state,
            "StackArn": stack_arn(ctx.account_id, ctx.region, pack.name, pack.pack_id),
            "LastUpdateRequestedTime": pack.requested_ms / 1000,
            "Type": CUSTOM,
        }
        if pack.status_reason:
            status["ConformancePackStatusReason"] = pack.status_reason
        if pack.completed_ms is not None:
            status["LastUpdateCompletedTime"] = pack.completed_ms / 1000
        statuses.append(status)
    out: Response = {"ConformancePackStatusDetails": statuses}
    if start + limit < len(packs):
        out["NextToken"] = ctx.runtime.tokens.issue(
            "DescribeConformancePackStatus", bound, start + limit
        )
    return out


# -- DeleteConformancePack ------------------------------------------------------------------


@operation("DeleteConformancePack")
def delete_conformance_pack(ctx: RequestContext, request: Request) -> Response:
    name = request["ConformancePackName"]
    with ctx.database.write() as conn:
        rule_store.lock_rules(conn, ctx.account_id, ctx.region)
        pack = store.get_pack(conn, ctx.account_id, ctx.region, name)
        if pack is None:
            raise NoSuchConformancePackException(
                f"Could not find a ConformancePack for given request with resourceName {name}"
            )
        if pack.in_progress:
            raise _in_use(pack)
        store.update_pack(
            conn,
            replace(
                pack,
                state=DELETE_IN_PROGRESS,
                status_reason=None,
                pending=Pending(requested_ms=ctx.now_ms, request=None),
            ),
        )
    return {}


# -- compliance -----------------------------------------------------------------------------


def _pack_rules(
    ctx: RequestContext, conn: Connection, pack: StoredPack, names: list[str] | None
) -> list[str]:
    """The pack's rules, or those of ``names`` (each of which must be the pack's)."""
    rules = _pack_rule_names(conn, ctx, pack.name)
    if not names:
        return rules
    for name in names:
        if name not in rules:
            raise NoSuchConfigRuleInConformancePackException(
                f"The ConfigRule '{name}' is not part of the conformance pack '{pack.name}'."
            )
    return [r for r in rules if r in set(names)]


@operation("DescribeConformancePackCompliance")
def describe_conformance_pack_compliance(ctx: RequestContext, request: Request) -> Response:
    name = request["ConformancePackName"]
    filters = request.get("Filters") or {}
    limit = page_size(request.get("Limit"), default=COMPLIANCE_PAGE, maximum=COMPLIANCE_PAGE)
    bound = [ctx.account_id, ctx.region, name, filters]
    start = _offset(ctx, request, "DescribeConformancePackCompliance", bound)
    with ctx.database.read() as conn:
        pack = store.get_pack(conn, ctx.account_id, ctx.region, name)
        if pack is None:
            raise _no_such_packs()
        rules = _pack_rules(ctx, conn, pack, filters.get("ConfigRuleNames"))
        counts = results_store.rule_counts(conn, ctx.account_id, ctx.region)
    entries = []
    for rule in rules:
        found = rollup.rule_compliance(counts.get(rule, (0, 0)))
        if filters.get("ComplianceType") in (None, found):
            entries.append({"ConfigRuleName": rule, "ComplianceType": found, "Controls": []})
    out: Response = {
        "ConformancePackName": name,
        "ConformancePackRuleComplianceList": entries[start : start + limit],
    }
    if start + limit < len(entries):
        out["NextToken"] = ctx.runtime.tokens.issue(
            "DescribeConformancePackCompliance", bound, start + limit
        )
    return out


@operation("GetConformancePackComplianceDetails")
def get_conformance_pack_compliance_details(ctx: RequestContext, request: Request) -> Response:
    name = request["ConformancePackName"]
    filters = request.get("Filters") or {}
    wanted = filters.get("ComplianceType")
    if wanted == compliance.INSUFFICIENT_DATA:
        raise InvalidParameterValueException(
            "The ComplianceType INSUFFICIENT_DATA is not supported here: filter by COMPLIANT "
            "or NON_COMPLIANT."
        )
    if filters.get("ResourceIds") and not filters.get("ResourceType"):
        raise InvalidParameterValueException(
            "ResourceIds can be given only together with a ResourceType."
        )
    limit = page_size(request.get("Limit"), default=DETAILS_PAGE, maximum=DETAILS_PAGE)
    bound = [ctx.account_id, ctx.region, name, filters]
    after: tuple[str, str, str] | None = None
    if request.get("NextToken"):
        position = ctx.runtime.tokens.open(
            request["NextToken"], "GetConformancePackComplianceDetails", bound
        )
        after = (str(position[0]), str(position[1]), str(position[2]))
    with ctx.database.read() as conn:
        pack = store.get_pack(conn, ctx.account_id, ctx.region, name)
        if pack is None:
            raise _no_such_packs()
        rules = _pack_rules(ctx, conn, pack, filters.get("ConfigRuleNames"))
        found = store.results_page(
            conn,
            ctx.account_id,
            ctx.region,
            rules,
            compliance=[wanted] if wanted else [COMPLIANT, NON_COMPLIANT],
            resource_type=filters.get("ResourceType"),
            resource_ids=filters.get("ResourceIds"),
            after=after,
            limit=limit + 1,
        )
    results = []
    for result in found[:limit]:
        entry = compliance.evaluation_result(result)
        entry.pop("ResultToken", None)
        results.append(entry)
    out: Response = {"ConformancePackName": name, "ConformancePackRuleEvaluationResults": results}
    if len(found) > limit:
        last = found[limit - 1]
        out["NextToken"] = ctx.runtime.tokens.issue(
            "GetConformancePackComplianceDetails",
            bound,
            [last.rule_name, last.resource_type, last.resource_id],
        )
    return out


@operation("GetConformancePackComplianceSummary")
def get_conformance_pack_compliance_summary(ctx: RequestContext, request: Request) -> Response:
    names = list(dict.fromkeys(request["ConformancePackNames"]))
    limit = page_size(request.get("Limit"), default=PACK_PAGE, maximum=PACK_PAGE)
    bound = [ctx.account_id, ctx.region, names]
    start = _offset(ctx, request, "GetConformancePackComplianceSummary", bound)
    with ctx.database.read() as conn:
        packs = store.list_packs(conn, ctx.account_id, ctx.region, names)
        if len(packs) < len(names):
            raise _no_such_packs()
        counts = results_store.rule_counts(conn, ctx.account_id, ctx.region)
        summaries = [
            {
                "ConformancePackName": pack.name,
                "ConformancePackComplianceStatus": rollup.pack_compliance(
                    _pack_rule_names(conn, ctx, pack.name), counts
                ),
            }
            for pack in packs
        ]
    out: Response = {"ConformancePackComplianceSummaryList": summaries[start : start + limit]}
    if start + limit < len(summaries):
        out["NextToken"] = ctx.runtime.tokens.issue(
            "GetConformancePackComplianceSummary", bound, start + limit
        )
    return out


@operation("ListConformancePackComplianceScores")
def list_conformance_pack_compliance_scores(ctx: RequestContext, request: Request) -> Response:
    names = (request.get("Filters") or {}).get("ConformancePackNames") or None
    order = request.get("SortOrder") or "ASCENDING"
    by_score = request.get("SortBy") == "SCORE"
    limit = page_size(request.get("Limit"), default=PACK_PAGE, maximum=PACK_PAGE)
    bound = [ctx.account_id, ctx.region, names, order, by_score]
    start = _offset(ctx, request, "ListConformancePackComplianceScores", bound)
    with ctx.database.read() as conn:
        packs = store.list_packs(conn, ctx.account_id, ctx.region, names)
        counts = results_store.rule_counts(conn, ctx.account_id, ctx.region)
        scores: list[tuple[str, str, int]] = []  # (name, score, last updated ms)
        for pack in packs:
            rules = _pack_rule_names(conn, ctx, pack.name)
            updated = store.last_recorded_ms(conn, ctx.account_id, ctx.region, rules)
            done = pack.completed_ms or pack.requested_ms
            scores.append((pack.name, rollup.score(rules, counts), max(updated or 0, done)))
    descending = order == "DESCENDING"
    if by_score:
        # INSUFFICIENT_DATA comes last in ascending order, first in descending order.
        scores.sort(
            key=lambda s: (
                s[1] == compliance.INSUFFICIENT_DATA,
                0.0 if s[1] == compliance.INSUFFICIENT_DATA else float(s[1]),
                s[0],
            ),
            reverse=descending,
        )
    else:
        scores.sort(key=lambda s: s[0], reverse=descending)
    page = [
        {"Score": score, "ConformancePackName": name, "LastUpdatedTime": updated_ms / 1000}
        for name, score, updated_ms in scores[start : start + limit]
    ]
    out: Response = {"ConformancePackComplianceScores": page}
    if start + limit < len(scores):
        out["NextToken"] = ctx.runtime.tokens.issue(
            "ListConformancePackComplianceScores", bound, start + limit
        )
    return out
