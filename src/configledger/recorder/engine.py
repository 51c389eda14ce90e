"""The discovery engine: list every recorded type, transform, reconcile, report.

A sweep of one account and region lists each recorded resource type through boto3
(``Sessions``), turns each raw record into what AWS Config records (the type's pure
``transform``), and hands the listing to ``history.reconcile``. A type whose listing
failed part-way is reconciled as incomplete (nothing is deleted) and its error shows
in the recorder's status; the other types go on.

Between sweeps a CloudTrail event names the resources it changed; a type that declares
``Targeted`` is then re-described for just those keys. That answer is complete for the
keys asked (one the service says is not found is gone, and may be recorded deleted), so
it is reconciled as a listing scoped to them. A targeted describe that fails for any
other reason is no answer: the type is listed instead, under the usual rules.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import orjson
from botocore.exceptions import ClientError
from sqlalchemy import select

from configledger.clock import Clock
from configledger.history.items import Relationship
from configledger.history.reconcile import Listed, Listing, Outcome, reconcile
from configledger.recorder import recording_group
from configledger.recorder.resource_types import REGISTRY
from configledger.recorder.sessions import Sessions
from configledger.recorder.types import Described, ResourceType, Scope
from configledger.store import recorders as recorder_store
from configledger.store.database import Database
from configledger.store.recorders import Recorder
from configledger.store.schema import resources

log = logging.getLogger("configledger.recorder")

# Reports progress: (type name, resources listed so far, done).
Progress = Callable[[str, int, bool], None]


@dataclass(slots=True)
class TypeReport:
    type_name: str
    listed: int = 0  # resources described (all of the type, or the targeted ones)
    outcome: Outcome = field(default_factory=Outcome)
    error: str | None = None
    # The keys a targeted re-description asked for; None when the type was listed.
    targeted: tuple[str, ...] | None = None


def recorded_types(group: dict[str, Any], registry: dict[str, ResourceType]) -> list[ResourceType]:
    """The registered types the recording group selects (spec 5.2)."""
    strategy = group["recordingStrategy"]["useOnly"]
    if strategy == recording_group.INCLUSION:
        wanted = set(group["resourceTypes"])
        return [t for name, t in registry.items() if name in wanted]
    if strategy == recording_group.EXCLUSION:
        excluded = set(group["exclusionByResourceTypes"]["resourceTypes"])
        return [t for name, t in registry.items() if name not in excluded]
    include_global = bool(group.get("includeGlobalResourceTypes"))
    return [t for t in registry.values() if include_global or not t.global_type]


def daily_types(mode: dict[str, Any], registry: dict[str, ResourceType]) -> set[str]:
    """The registered types recorded DAILY under the recording mode (spec 5.3)."""
    frequency = {name: mode.get("recordingFrequency", "CONTINUOUS") for name in registry}
    for override in mode.get("recordingModeOverrides") or []:
        for name in override.get("resourceTypes") or []:
            if name in frequency:
                frequency[name] = override["recordingFrequency"]
    return {name for name, value in frequency.items() if value == "DAILY"}


def _listed(described: Described) -> Listed:
    return Listed(
        resource_id=described.resource_id,
        configuration=orjson.dumps(described.configuration).decode(),
        resource_name=described.resource_name,
        arn=described.arn,
        availability_zone=described.availability_zone,
        resource_creation_ms=described.resource_creation_ms,
        tags=dict(described.tags),
        supplementary={k: orjson.dumps(v).decode() for k, v in described.supplementary.items()},
        forward=tuple(
            (
                _relationship(r.name, r.target_type, r.target_id, r.target_name),
                r.inverse,
            )
            for r in described.relations
        ),
    )


def _relationship(
    name: str, target_type: str, target_id: str | None, target_name: str | None
) -> Relationship:
    return Relationship(target_type, name, target_id, target_name)


class SweepInterrupted(Exception):
    """The server is stopping: the sweep was abandoned before anything was recorded."""


class RecordingEngine:
    def __init__(
        self,
        database: Database,
        sessions: Sessions,
        clock: Clock,
        registry: dict[str, ResourceType] | None = None,
    ) -> None:
        self.database = database
        self.sessions = sessions
        self.clock = clock
        self.registry = REGISTRY if registry is None else registry
        # Set when the server stops: a sweep in progress gives up between types rather
        # than describe every remaining type against endpoints that are going away
        # (each with its retries). Nothing is recorded; the events are replayed later.
        self.stopping = threading.Event()

    def recorder(self, account_id: str, region: str) -> Recorder | None:
        with self.database.read() as conn:
            found = recorder_store.list_recorders(conn, account_id, region)
        return found[0] if found else None

    def sweep(
        self,
        account_id: str,
        region: str,
        *,
        types: Iterable[str] | None = None,
        related_events: tuple[str, ...] = (),
        progress: Progress | None = None,
        force: bool = False,
        targets: Mapping[str, Sequence[str]] | None = None,
    ) -> list[TypeReport]:
        """Record every change of the selected types (default: all recorded types) in
        one partition; nothing when the recorder is not recording (unless ``force``).
        A type in ``targets`` (that declares ``Targeted``) is re-described for those
        keys only; its name must also be among ``types`` when ``types`` is given."""
        recorder = self.recorder(account_id, region)
        if recorder is None or not (recorder.recording or force):
            return []
        recorded = {t.type_name for t in recorded_types(recorder.recording_group, self.registry)}
        daily = daily_types(recorder.recording_mode, self.registry)
        # Types outside the group are listed too, for their ResourceNotRecorded items;
        # global types outside it are not looked at (they belong to no region).
        selected = [
            t for t in self.registry.values() if t.type_name in recorded or not t.global_type
        ]
        if types is not None:
            wanted = set(types)
            selected = [t for t in selected if t.type_name in wanted]
        if related_events:  # DAILY types change only on the daily sweep
            selected = [t for t in selected if t.type_name not in daily]
        reports, listings = [], []
        for resource_type in selected:
            if self.stopping.is_set():
                raise SweepInterrupted(f"sweep of {account_id}/{region} interrupted")
            keys = (targets or {}).get(resource_type.type_name)
            found = None
            if keys is not None and resource_type.targeted is not None:
                found = self._describe_keys(recorder, resource_type, keys)
            report, listing = found or self._list_type(recorder, resource_type, progress)
            listing = replace(
                listing,
                recorded=resource_type.type_name in recorded,
                daily=resource_type.type_name in daily,
            )
            reports.append(report)
            listings.append(listing)
        outcomes = reconcile(
            self.database,
            recorder.account_id,
            recorder.region,
            listings,
            now_ms=self.clock.now_ms(),
            related_events=related_events,
        )
        for report in reports:
            report.outcome = outcomes.get(report.type_name, Outcome())
        self._set_status(recorder, reports)
        return reports

    def _list_type(
        self, recorder: Recorder, resource_type: ResourceType, progress: Progress | None
    ) -> tuple[TypeReport, Listing]:
        report = TypeReport(resource_type.type_name)
        scope = Scope(recorder.account_id, recorder.region)
        listed: list[Listed] = []
        complete = True
        try:
            client = self.sessions.client(
                resource_type.service, recorder.account_id, recorder.region, recorder.role_arn
            )
            for raw in resource_type.fetch(client, scope):
                listed.append(_listed(resource_type.transform(raw, scope)))
                if progress is not None and len(listed) % 50 == 0:
                    progress(resource_type.type_name, len(listed), False)
        except Exception as exc:  # a failed listing is reported, never taken as "gone"
            complete = False
            report.error = f"{type(exc).__name__}: {exc}"
            log.warning(
                "listing %s in %s/%s failed: %s",
                resource_type.type_name,
                recorder.account_id,
                recorder.region,
                report.error,
            )
        report.listed = len(listed)
        if progress is not None:
            progress(resource_type.type_name, len(listed), True)
        listing = Listing(resource_type.type_name, listed, complete, resource_type.global_type)
        return report, listing

    def _describe_keys(
        self, recorder: Recorder, resource_type: ResourceType, keys: Sequence[str]
    ) -> tuple[TypeReport, Listing] | None:
        """The type re-described for ``keys`` only, as a listing complete for them; None
        when the service could not answer (the caller lists the type instead)."""
        targeted = resource_type.targeted
        assert targeted is not None
        scope = Scope(recorder.account_id, recorder.region)
        wanted = list(dict.fromkeys(keys))
        described: list[Described] = []
        try:
            client = self.sessions.client(
                resource_type.service, recorder.account_id, recorder.region, recorder.role_arn
            )
            for chunk in _chunks(wanted, targeted.batch):
                described.extend(self._describe_chunk(client, resource_type, scope, chunk))
        except Exception as exc:  # not an answer: never taken as "gone"
            log.warning(
                "describing %s %s in %s/%s failed, listing the type instead: %s: %s",
                resource_type.type_name,
                wanted,
                recorder.account_id,
                recorder.region,
                type(exc).__name__,
                exc,
            )
            return None
        present = {d.resource_id for d in described}
        if targeted.by_name:
            # Every resource that has one of these names was described: a recorded one
            # that was not is gone (deleted, or deleted and its name reused).
            gone = self._ids_named(recorder, resource_type, wanted) - present
        else:
            gone = set(wanted) - present
        listing = Listing(
            resource_type.type_name,
            [_listed(d) for d in described],
            True,
            resource_type.global_type,
            scope_ids=frozenset(present | gone),
        )
        report = TypeReport(resource_type.type_name, listed=len(described), targeted=tuple(wanted))
        return report, listing

    def _describe_chunk(
        self, client: Any, resource_type: ResourceType, scope: Scope, chunk: list[str]
    ) -> list[Described]:
        targeted = resource_type.targeted
        assert targeted is not None
        try:
            return [
                resource_type.transform(raw, scope)
                for raw in targeted.describe(client, scope, chunk)
            ]
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") not in targeted.not_found:
                raise
            if len(chunk) == 1:
                return []  # the service's own "no such resource"
            # One unknown key fails the whole call: ask for each, to learn which.
            return [
                d
                for key in chunk
                for d in self._describe_chunk(client, resource_type, scope, [key])
            ]

    def _ids_named(
        self, recorder: Recorder, resource_type: ResourceType, names: list[str]
    ) -> set[str]:
        """The live recorded resources of the type with these names."""
        if not names:
            return set()
        r = resources.c
        with self.database.read() as conn:
            rows = conn.execute(
                select(r.resource_id).where(
                    r.account_id == recorder.account_id,
                    r.region == recorder.region,
                    r.resource_type == resource_type.type_name,
                    r.resource_name.in_(names),
                    r.deleted_ms.is_(None),
                )
            )
            return {row.resource_id for row in rows}

    def _set_status(self, recorder: Recorder, reports: list[TypeReport]) -> None:
        failed = [r for r in reports if r.error]
        now = self.clock.now_ms()
        status = "FAILURE" if failed else "SUCCESS"
        values: dict[str, Any] = {
            "last_status": status,
            "last_error_code": "ListingFailed" if failed else None,
            "last_error_message": (
                "; ".join(f"{r.type_name}: {r.error}" for r in failed)[:1000] if failed else None
            ),
        }
        if status != recorder.last_status:
            values["last_status_change_ms"] = now
        with self.database.write() as conn:
            current = recorder_store.get_recorder(
                conn, recorder.account_id, recorder.region, recorder.name
            )
            if current is not None:
                recorder_store.update_recorder(conn, current, **values)


def _chunks(keys: Sequence[str], size: int) -> Iterator[list[str]]:
    step = max(size, 1)
    for start in range(0, len(keys), step):
        yield list(keys[start : start + step])
