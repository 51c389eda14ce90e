"""Building the runtime from Settings and serving it with uvicorn."""

from __future__ import annotations

import logging
import re
from dataclasses import replace
from pathlib import Path

import uvicorn

from configledger.api.app import ConfigApi
from configledger.api.auth import CredentialStore
from configledger.api.context import Runtime, Worker
from configledger.api.paging import TokenSigner
from configledger.background import StepLoop
from configledger.clock import Clock, SystemClock
from configledger.delivery.clients import DeliveryClients
from configledger.delivery.outbox import delivery_worker
from configledger.operations.conformance import check as check_request
from configledger.query.projection import QueryProjection
from configledger.query.projection import log as query_log
from configledger.recorder.change_feed import CloudTrailPoller, EventQueueConsumer
from configledger.recorder.engine import RecordingEngine
from configledger.recorder.sessions import Sessions
from configledger.recorder.worker import Feed, RecorderWorker
from configledger.remediation.engine import RemediationEngine, RemediationWorker
from configledger.rules.conformance.deployment import ConformanceWorker, PackDeployer
from configledger.rules.engine import RulesEngine, RulesWorker
from configledger.rules.lambda_rules import LambdaRulesWorker
from configledger.settings import Settings
from configledger.store import state
from configledger.store.database import open_database

# Idle keep-alive connections are closed after this long. uvicorn's 5 s default races
# with clients that reuse a pooled connection just as the server closes it (the client
# sees a connection reset); botocore pools connections for as long as a client lives.
KEEP_ALIVE_SECONDS = 75


def change_feeds(settings: Settings, engine: RecordingEngine) -> list[tuple[Feed, float]]:
    """Where a real account's changes come from between sweeps (source "aws" only)."""
    if settings.source != "aws":
        return []
    feeds: list[tuple[Feed, float]] = []
    if settings.cloudtrail_poll_interval:
        feeds.append((CloudTrailPoller(engine), float(settings.cloudtrail_poll_interval)))
    if settings.event_queue_url:
        found = re.search(r"sqs\.([a-z0-9-]+)\.", settings.event_queue_url)
        region = found.group(1) if found else "us-east-1"
        feeds.append((EventQueueConsumer(engine, settings.event_queue_url, region), 1.0))
    return feeds


def background_workers(runtime: Runtime, sessions: Sessions) -> tuple[Worker, ...]:
    """Every outbox consumer besides the recorder, one line per service."""
    workers: list[Worker] = []
    workers.append(RulesWorker(RulesEngine(runtime.database, runtime.clock, sessions)))
    workers.append(
        LambdaRulesWorker(
            runtime.database, runtime.clock, sessions, runtime.settings, runtime.credentials
        )
    )
    workers.append(delivery_worker(runtime))
    settings = runtime.settings
    workers.append(
        ConformanceWorker(
            PackDeployer(
                runtime.database,
                runtime.clock,
                DeliveryClients(settings, runtime.credentials),
                check_request,
                max_config_rules=settings.max_config_rules,
                deployment_delay=settings.conformance_pack_deployment_delay,
                retry_max_seconds=settings.delivery_retry_max_seconds,
            )
        )
    )
    workers.append(RemediationWorker(RemediationEngine(runtime.database, runtime.clock, sessions)))
    if runtime.projection is not None:
        workers.append(StepLoop("query", runtime.projection.step, poll=0.2, log=query_log))
    return tuple(workers)


def build_runtime(settings: Settings, clock: Clock | None = None) -> Runtime:
    database = open_database(settings.db_url)
    with database.write() as conn:
        secret = state.get_or_create(conn, "token_secret")
    if settings.credentials_file:
        credentials = CredentialStore.from_toml(
            Path(settings.credentials_file), sandbox_defaults=settings.sandbox_credentials
        )
    else:
        credentials = CredentialStore(sandbox_defaults=settings.sandbox_credentials)
    clock = clock or SystemClock()
    sessions = Sessions(settings, credentials)
    engine = RecordingEngine(database, sessions, clock)
    runtime = Runtime(
        settings=settings,
        database=database,
        clock=clock,
        tokens=TokenSigner(bytes.fromhex(secret)),
        credentials=credentials,
        projection=QueryProjection(database),
        recorder=RecorderWorker(
            engine, sweep_interval=settings.sweep_interval, feeds=change_feeds(settings, engine)
        ),
    )
    return replace(runtime, workers=background_workers(runtime, sessions))


def serve(settings: Settings) -> None:
    logging.basicConfig(
        level=settings.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    app = ConfigApi(build_runtime(settings))
    logging.getLogger("configledger").info(
        "ConfigLedger listening on http://%s:%d (store: %s; sandbox: %s)",
        settings.host,
        settings.port,
        settings.db_url,
        "on" if settings.sandbox else "off",
    )
    uvicorn.run(
        app,
        host=settings.host,
        port=settings.port,
        log_level=settings.log_level,
        access_log=False,
        lifespan="on",
        timeout_keep_alive=KEEP_ALIVE_SECONDS,
    )
