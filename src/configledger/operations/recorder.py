"""Configuration recorder operations (spec 2.1, 5)."""

from __future__ import annotations

import secrets
import string
from typing import Any

from configledger.api.context import RequestContext
from configledger.api.paging import page_size
from configledger.errors import (
    InvalidConfigurationRecorderNameException,
    InvalidRoleException,
    MaxNumberOfConfigurationRecordersExceededException,
    NoAvailableDeliveryChannelException,
    NoSuchConfigurationRecorderException,
    TooManyTagsException,
    ValidationException,
)
from configledger.operations.registry import Request, Response, operation
from configledger.operations.tags import missing_key_errors, raise_validation
from configledger.recorder import recording_group
from configledger.store import channels as channel_store
from configledger.store import outbox
from configledger.store import recorders as store
from configledger.store import tags as tag_store
from configledger.store.recorders import Recorder

RESERVED_PREFIX = "AWSConfigurationRecorderFor"
MAX_TAGS = 50
_ID_ALPHABET = string.ascii_lowercase + string.digits


def _check_model_gaps(request: Request) -> None:
    """What the model-driven validator lets through but AWS refuses (a tag without a key)."""
    raise_validation(missing_key_errors(request.get("Tags") or []))


def _no_such(name: str) -> NoSuchConfigurationRecorderException:
    return NoSuchConfigurationRecorderException(
        f"Cannot find configuration recorder with the specified name '{name}'."
    )


def _to_api(recorder: Recorder) -> dict[str, Any]:
    return {
        "arn": recorder.arn,
        "name": recorder.name,
        "roleARN": recorder.role_arn,
        "recordingGroup": recorder.recording_group,
        "recordingMode": recorder.recording_mode,
        "recordingScope": "PAID",
    }


def find_recorder(ctx: RequestContext, conn: Any, name: str) -> Recorder:
    recorder = store.get_recorder(conn, ctx.account_id, ctx.region, name)
    if recorder is None:
        raise _no_such(name)
    return recorder


def _selected(ctx: RequestContext, request: Request) -> list[Recorder]:
    """The recorders named by the Describe* filters (names, Arn, ServicePrincipal)."""
    names = request.get("ConfigurationRecorderNames") or []
    if len(names) > 1:
        raise ValidationException(
            "Only one configuration recorder name can be provided in the request."
        )
    with ctx.database.read() as conn:
        found = store.list_recorders(conn, ctx.account_id, ctx.region)
    if request.get("ServicePrincipal"):
        return []  # ConfigLedger has no service-linked recorders
    if names:
        found = [r for r in found if r.name == names[0]]
        if not found:
            raise _no_such(names[0])
    if "Arn" in request:
        found = [r for r in found if r.arn == request["Arn"]]
        if not found:
            raise NoSuchConfigurationRecorderException(
                f"Cannot find configuration recorder with the specified arn '{request['Arn']}'."
            )
    return found


def _ask_for_sweep(ctx: RequestContext, conn: Any, name: str) -> None:
    """Queue a full sweep of this account and region, in the caller's transaction."""
    outbox.publish(
        conn,
        ctx.account_id,
        ctx.region,
        outbox.RECORDER_STARTED,
        {"configurationRecorderName": name},
        now_ms=ctx.now_ms,
    )


@operation("PutConfigurationRecorder")
def put_configuration_recorder(ctx: RequestContext, request: Request) -> Response:
    _check_model_gaps(request)
    spec = request["ConfigurationRecorder"]
    name = spec.get("name", "default")
    if not name.strip():
        raise InvalidConfigurationRecorderNameException(
            f"The configuration recorder name '{name}' is not valid, blank string."
        )
    if name.startswith(RESERVED_PREFIX):
        raise InvalidConfigurationRecorderNameException(
            f"The configuration recorder name '{name}' is not valid: the prefix "
            f"'{RESERVED_PREFIX}' is reserved for service-linked recorders."
        )
    role_arn = spec.get("roleARN")
    if not role_arn or not role_arn.startswith("arn:"):
        raise InvalidRoleException(
            "The role ARN provided is not valid. Provide the ARN of an IAM role that grants "
            "AWS Config permission to record your resources."
        )
    group = recording_group.normalise_group(spec.get("recordingGroup"))
    mode = recording_group.normalise_mode(spec.get("recordingMode"))
    recording_group.check_frequencies(group, mode)
    new_tags = {t["Key"]: t.get("Value", "") for t in request.get("Tags") or []}
    if len(new_tags) > MAX_TAGS:
        raise TooManyTagsException(f"The number of tags exceeds the limit of {MAX_TAGS}.")

    with ctx.database.write() as conn:
        store.lock_configuration(conn, ctx.account_id, ctx.region)
        existing = store.list_recorders(conn, ctx.account_id, ctx.region)
        same = next((r for r in existing if r.name == name), None)
        if same is None and existing:
            raise MaxNumberOfConfigurationRecordersExceededException(
                f"Failed to put configuration recorder '{name}' because the maximum number "
                "of configuration recorders: 1 is reached."
            )
        if same is not None:
            store.update_recorder(
                conn, same, role_arn=role_arn, recording_group=group, recording_mode=mode
            )
            if same.recording and group != same.recording_group:
                _ask_for_sweep(ctx, conn, name)  # newly included types are inventoried
            return {}  # tags apply only at creation
        suffix = "".join(secrets.choice(_ID_ALPHABET) for _ in range(16))
        arn = ctx.arn(f"configuration-recorder/{name}/{suffix}")
        store.insert_recorder(
            conn,
            account_id=ctx.account_id,
            region=ctx.region,
            name=name,
            arn=arn,
            role_arn=role_arn,
            recording_group=group,
            recording_mode=mode,
            now_ms=ctx.now_ms,
        )
        if new_tags:
            tag_store.set_tags(conn, ctx.account_id, ctx.region, arn, new_tags)
    return {}


@operation("DescribeConfigurationRecorders")
def describe_configuration_recorders(ctx: RequestContext, request: Request) -> Response:
    return {"ConfigurationRecorders": [_to_api(r) for r in _selected(ctx, request)]}


def _status(recorder: Recorder) -> dict[str, Any]:
    out: dict[str, Any] = {"arn": recorder.arn, "name": recorder.name}
    if recorder.last_start_ms is not None:
        out["lastStartTime"] = recorder.last_start_ms / 1000
    if recorder.last_stop_ms is not None:
        out["lastStopTime"] = recorder.last_stop_ms / 1000
    out["recording"] = recorder.recording
    if recorder.last_status is not None:
        out["lastStatus"] = recorder.last_status
    if recorder.last_error_code is not None:
        out["lastErrorCode"] = recorder.last_error_code
    if recorder.last_error_message is not None:
        out["lastErrorMessage"] = recorder.last_error_message
    if recorder.last_status_change_ms is not None:
        out["lastStatusChangeTime"] = recorder.last_status_change_ms / 1000
    return out


@operation("DescribeConfigurationRecorderStatus")
def describe_configuration_recorder_status(ctx: RequestContext, request: Request) -> Response:
    return {"ConfigurationRecordersStatus": [_status(r) for r in _selected(ctx, request)]}


@operation("ListConfigurationRecorders")
def list_configuration_recorders(ctx: RequestContext, request: Request) -> Response:
    limit = page_size(request.get("MaxResults"), default=20, maximum=20)
    scopes: set[str] | None = None
    for flt in request.get("Filters") or []:
        if flt.get("filterName") == "recordingScope":
            scopes = set(flt.get("filterValue") or [])
    # The token is bound to the filter; a set is not JSON, a sorted list is.
    bound = None if scopes is None else sorted(scopes)
    with ctx.database.read() as conn:
        found = store.list_recorders(conn, ctx.account_id, ctx.region)
    summaries = [
        {"arn": r.arn, "name": r.name, "recordingScope": "PAID"}
        for r in found
        if scopes is None or "PAID" in scopes
    ]
    start = 0
    if request.get("NextToken"):
        start = int(
            ctx.runtime.tokens.open(request["NextToken"], "ListConfigurationRecorders", bound)
        )
    page = summaries[start : start + limit]
    out: Response = {"ConfigurationRecorderSummaries": page}
    if start + limit < len(summaries):
        out["NextToken"] = ctx.runtime.tokens.issue(
            "ListConfigurationRecorders", bound, start + limit
        )
    return out


@operation("StartConfigurationRecorder")
def start_configuration_recorder(ctx: RequestContext, request: Request) -> Response:
    with ctx.database.write() as conn:
        store.lock_configuration(conn, ctx.account_id, ctx.region)
        recorder = find_recorder(ctx, conn, request["ConfigurationRecorderName"])
        if not channel_store.list_channels(conn, ctx.account_id, ctx.region):
            raise NoAvailableDeliveryChannelException(
                "Delivery channel is not available to start configuration recorder."
            )
        if not recorder.recording:
            store.update_recorder(
                conn,
                recorder,
                recording=True,
                last_start_ms=ctx.now_ms,
                last_status="PENDING",  # SUCCESS once the first sweep has recorded
                last_status_change_ms=ctx.now_ms,
                last_error_code=None,
                last_error_message=None,
            )
            # Starting (again) inventories everything: what changed while stopped is
            # reconciled by the sweep this event asks for.
            _ask_for_sweep(ctx, conn, recorder.name)
    return {}


@operation("StopConfigurationRecorder")
def stop_configuration_recorder(ctx: RequestContext, request: Request) -> Response:
    with ctx.database.write() as conn:
        store.lock_configuration(conn, ctx.account_id, ctx.region)
        recorder = find_recorder(ctx, conn, request["ConfigurationRecorderName"])
        if recorder.recording:
            store.update_recorder(conn, recorder, recording=False, last_stop_ms=ctx.now_ms)
    return {}


@operation("DeleteConfigurationRecorder")
def delete_configuration_recorder(ctx: RequestContext, request: Request) -> Response:
    with ctx.database.write() as conn:
        store.lock_configuration(conn, ctx.account_id, ctx.region)
        recorder = find_recorder(ctx, conn, request["ConfigurationRecorderName"])
        store.delete_recorder(conn, recorder)
        tag_store.remove_tags(conn, ctx.account_id, ctx.region, recorder.arn)
    return {}


def _recorder_by_arn(ctx: RequestContext, conn: Any, arn: str) -> Recorder:
    for recorder in store.list_recorders(conn, ctx.account_id, ctx.region):
        if recorder.arn == arn:
            return recorder
    raise NoSuchConfigurationRecorderException(
        f"Cannot find configuration recorder with the specified arn '{arn}'."
    )


def _edit_types(ctx: RequestContext, request: Request, *, add: bool) -> Response:
    wanted = list(dict.fromkeys(request["ResourceTypes"]))
    with ctx.database.write() as conn:
        store.lock_configuration(conn, ctx.account_id, ctx.region)
        recorder = _recorder_by_arn(ctx, conn, request["ConfigurationRecorderArn"])
        which, current = recording_group.editable_types(recorder.recording_group)
        if add:
            already = [t for t in wanted if t in current]
            if already:
                raise ValidationException(
                    f"The resource types {already} are already associated with the "
                    "configuration recorder."
                )
            updated = current + wanted
        else:
            missing = [t for t in wanted if t not in current]
            if missing:
                raise ValidationException(
                    f"The resource types {missing} are not associated with the "
                    "configuration recorder."
                )
            updated = [t for t in current if t not in wanted]
        group = recording_group.with_types(recorder.recording_group, which, updated)
        recording_group.check_frequencies(group, recorder.recording_mode)
        store.update_recorder(conn, recorder, recording_group=group)
        if recorder.recording:
            _ask_for_sweep(ctx, conn, recorder.name)
        recorder = find_recorder(ctx, conn, recorder.name)
    return {"ConfigurationRecorder": _to_api(recorder)}


@operation("AssociateResourceTypes")
def associate_resource_types(ctx: RequestContext, request: Request) -> Response:
    return _edit_types(ctx, request, add=True)


@operation("DisassociateResourceTypes")
def disassociate_resource_types(ctx: RequestContext, request: Request) -> Response:
    return _edit_types(ctx, request, add=False)
