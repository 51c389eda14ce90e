"""Building the runtime from Settings and serving it with uvicorn."""

from __future__ import annotations

import logging
from pathlib import Path

import uvicorn

from configledger.api.app import ConfigApi
from configledger.api.auth import CredentialStore
from configledger.api.context import Runtime
from configledger.api.paging import TokenSigner
from configledger.clock import Clock, SystemClock
from configledger.recorder.engine import RecordingEngine
from configledger.recorder.sessions import Sessions
from configledger.recorder.worker import RecorderWorker
from configledger.settings import Settings
from configledger.store import state
from configledger.store.database import open_database


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
    engine = RecordingEngine(database, Sessions(settings, credentials), clock)
    return Runtime(
        settings=settings,
        database=database,
        clock=clock,
        tokens=TokenSigner(bytes.fromhex(secret)),
        credentials=credentials,
        recorder=RecorderWorker(engine, sweep_interval=settings.sweep_interval),
    )


def serve(settings: Settings) -> None:
    logging.basicConfig(
        level=settings.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    app = ConfigApi(build_runtime(settings))
    logging.getLogger("configledger").info(
        "ConfigLedger listening on http://%s:%d (store: %s)",
        settings.host,
        settings.port,
        settings.db_url,
    )
    uvicorn.run(
        app,
        host=settings.host,
        port=settings.port,
        log_level=settings.log_level,
        access_log=False,
        lifespan="on",
    )
