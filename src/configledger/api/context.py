"""What an operation knows about the request it serves, and the runtime behind it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from configledger.api.auth import CredentialStore
from configledger.api.paging import TokenSigner
from configledger.clock import Clock
from configledger.settings import Settings
from configledger.store.database import Database

if TYPE_CHECKING:
    from configledger.query.projection import QueryProjection
    from configledger.recorder.worker import RecorderWorker


class Worker(Protocol):
    """A background loop over the outbox (delivery, rules, ...), started with the server."""

    def start(self) -> None: ...

    def stop(self) -> None: ...

    def notify(self) -> None:
        """Look at the outbox now: something was just committed."""


@dataclass(frozen=True, slots=True)
class Runtime:
    """Process-wide parts, built once at start-up and shared by every request."""

    settings: Settings
    database: Database
    clock: Clock
    tokens: TokenSigner
    credentials: CredentialStore
    # The recorder's background loop; None in tools that only read the store.
    recorder: RecorderWorker | None = None
    # Every other outbox consumer; started, stopped and woken with the recorder.
    workers: tuple[Worker, ...] = ()
    # The advanced-query projection's consumer (also one of ``workers`` in a server).
    projection: QueryProjection | None = None

    def query_ready(self) -> None:
        """Bring the advanced-query projection up to every committed item."""
        if self.projection is None:
            from configledger.query.projection import QueryProjection

            QueryProjection(self.database).catch_up()
        else:
            self.projection.catch_up()

    def notify_all(self) -> None:
        """Wake every background loop after a commit that wrote outbox events."""
        if self.recorder is not None:
            self.recorder.notify()
        for worker in self.workers:
            worker.notify()


@dataclass(frozen=True, slots=True)
class RequestContext:
    """One request: who asked, for which account and region, and when."""

    runtime: Runtime
    account_id: str
    region: str
    principal_arn: str
    access_key_id: str
    request_id: str
    now_ms: int

    @property
    def database(self) -> Database:
        return self.runtime.database

    def arn(self, resource: str) -> str:
        """An ARN of AWS Config's own resources in this account and region."""
        return f"arn:aws:config:{self.region}:{self.account_id}:{resource}"
