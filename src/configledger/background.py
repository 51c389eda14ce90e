"""The background loop of every service that works from the store (api/context.py
``Worker``): rules, remediation, conformance packs, the query projection.

A service supplies one ``step``: do a batch, and say whether there was one. The loop
runs it in a daemon thread, again at once while there is work, else after a ``notify``
(a commit just announced something) or ``poll`` seconds. A step that raises is logged
and tried again: services move their cursors and states only after a batch is done, so
a failed step loses nothing.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable


class StepLoop:
    def __init__(
        self,
        name: str,
        step: Callable[[], bool],
        *,
        poll: float,
        log: logging.Logger,
        recover: Callable[[], None] | None = None,
    ) -> None:
        """``recover`` runs once when the loop starts (work a crash left half done)."""
        self.name = name
        self.step = step
        self.poll = poll
        self.log = log
        self.recover = recover
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"configledger-{name}", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread.is_alive():
            self._thread.join(timeout=30)

    def notify(self) -> None:
        self._wake.set()

    def _run(self) -> None:
        if self.recover is not None:
            try:
                self.recover()
            except Exception:
                self.log.exception("%s: recovering interrupted work failed", self.name)
        while not self._stop.is_set():
            try:
                busy = self.step()
            except Exception:
                self.log.exception("%s step failed; retrying", self.name)
                busy = False
            if not busy:
                self._wake.wait(self.poll)
                self._wake.clear()
