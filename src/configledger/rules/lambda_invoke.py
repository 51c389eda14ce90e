"""Invoking a Lambda rule's function: in a local Python process (sandbox) or on AWS.

Sandbox: the function's configuration and code come through boto3 like any client's
(``lambda get_function``; the package downloaded from ``Code.Location`` over HTTP and
unpacked once per CodeSha256). The handler runs in ``lambda_runner.py``, a separate
interpreter with the function's environment variables, Lambda's reserved variables,
the account's sandbox credentials and AWS_ENDPOINT_URL / AWS_ENDPOINT_URL_CONFIG_SERVICE
pointing back at this server, so the function's ``put_evaluations`` lands here. Like
Lambda's execution environments, a process stays warm after an invocation and takes the
next one of the same code and configuration (its module state and clients persist, as
on Lambda); one that timed out, crashed or failed to import its handler is replaced.
The runner enforces the function's Timeout; a process that outlives it by a grace
period (interpreter start, imports) is killed.

AWS (``source = "aws"``): the real function, invoked asynchronously (InvocationType
Event), exactly as AWS Config does; its PutEvaluations reaches whatever endpoint the
function is configured for.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import io
import json
import os
import select
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from configledger.api.auth import CredentialStore
from configledger.recorder.sessions import Sessions
from configledger.settings import Settings

RUNNER = str(Path(__file__).with_name("lambda_runner.py"))
# Seconds a runner may outlive the function's Timeout (interpreter start, boto3 import).
START_GRACE = 20.0
NOT_REPORTED = "NoEvaluationsReported"


@dataclass(frozen=True, slots=True)
class Outcome:
    """How one invocation went: ``error`` is (code, message) when it failed."""

    error: tuple[str, str] | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


def function_partition(arn: str, account_id: str, region: str) -> tuple[str, str]:
    """The account and region a function ARN names (the rule's own for a bare name)."""
    parts = arn.split(":")
    if len(parts) >= 7 and parts[0] == "arn" and parts[2] == "lambda":
        return parts[4] or account_id, parts[3] or region
    return account_id, region


def self_url(settings: Settings) -> str:
    host = "127.0.0.1" if settings.host in ("0.0.0.0", "::", "") else settings.host
    return f"http://{host}:{settings.port}"


class CodeCache:
    """Deployment packages unpacked once per CodeSha256, under ``root``."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._lock = threading.Lock()

    def directory(self, sha256_b64: str, location: str) -> Path:
        name = base64.urlsafe_b64decode(sha256_b64 + "=" * (-len(sha256_b64) % 4)).hex()
        target = self.root / name
        if target.is_dir():
            return target
        with urllib.request.urlopen(location, timeout=60) as response:
            package = response.read()
        actual = base64.b64encode(hashlib.sha256(package).digest()).decode()
        if actual != sha256_b64:
            raise ValueError(f"the downloaded package's SHA-256 {actual} is not {sha256_b64}")
        with self._lock:
            if target.is_dir():
                return target
            self.root.mkdir(parents=True, exist_ok=True)
            staging = Path(tempfile.mkdtemp(prefix=".unpack-", dir=self.root))
            with zipfile.ZipFile(io.BytesIO(package)) as archive:
                archive.extractall(staging)
            os.replace(staging, target)
        return target


class Invoker:
    def __init__(self, settings: Settings, sessions: Sessions, credentials: CredentialStore):
        self.settings = settings
        self.sessions = sessions
        self.credentials = credentials
        root = settings.lambda_code_dir or os.path.join(
            tempfile.gettempdir(), "configledger-lambda-code"
        )
        self.cache = CodeCache(Path(root))
        self.pool = WarmPool(max(2, settings.lambda_concurrency * 2))
        self._lock = threading.Lock()
        self._busy: set[WarmProcess] = set()

    def invoke(
        self, function_arn: str, account_id: str, region: str, event: dict[str, Any]
    ) -> Outcome:
        fn_account, fn_region = function_partition(function_arn, account_id, region)
        client = self.sessions.client("lambda", fn_account, fn_region)
        payload = json.dumps(event)
        if self.sessions.source == "aws":
            try:
                client.invoke(FunctionName=function_arn, InvocationType="Event", Payload=payload)
            except ClientError as exc:
                return _client_error(exc)
            except BotoCoreError as exc:
                return Outcome(("ServiceUnavailable", str(exc)))
            return Outcome()
        try:
            found = client.get_function(FunctionName=function_arn)
        except ClientError as exc:
            return _client_error(exc)
        configuration = found["Configuration"]
        runtime = str(configuration.get("Runtime") or "")
        if not runtime.startswith("python"):
            return Outcome(
                ("Runtime.InvalidRuntime", f"The runtime {runtime or 'of an image'} is not run "
                 "locally; only Python functions are")
            )  # fmt: skip
        try:
            code_dir = self.cache.directory(configuration["CodeSha256"], found["Code"]["Location"])
        except (OSError, ValueError, KeyError, zipfile.BadZipFile) as exc:
            return Outcome(("CodeFetchFailed", f"Could not fetch the function's code: {exc}"))
        return self._run(configuration, code_dir, account_id, region, payload, event)

    def _environment(
        self, configuration: dict[str, Any], account_id: str, region: str
    ) -> dict[str, str]:
        if self.settings.sandbox_credentials:
            key, secret = account_id, "test"
        else:
            internal = self.credentials.internal(account_id)
            key, secret = internal.access_key_id, internal.secret_access_key
        url = self_url(self.settings)
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "LANG": "C.UTF-8",
            "TZ": ":UTC",
        }
        env.update((configuration.get("Environment") or {}).get("Variables") or {})
        name = configuration["FunctionName"]
        env.update(
            {
                "AWS_ACCESS_KEY_ID": key,
                "AWS_SECRET_ACCESS_KEY": secret,
                "AWS_REGION": region,
                "AWS_DEFAULT_REGION": region,
                "AWS_ENDPOINT_URL": url,
                "AWS_ENDPOINT_URL_CONFIG_SERVICE": url,
                "AWS_EXECUTION_ENV": f"AWS_Lambda_{configuration.get('Runtime', 'python')}",
                "AWS_LAMBDA_FUNCTION_NAME": name,
                "AWS_LAMBDA_FUNCTION_VERSION": str(configuration.get("Version") or "$LATEST"),
                "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(configuration.get("MemorySize", 128)),
                "AWS_LAMBDA_LOG_GROUP_NAME": f"/aws/lambda/{name}",
                "AWS_LAMBDA_LOG_STREAM_NAME": "configledger",
                "CONFIGLEDGER_FUNCTION_ARN": str(configuration.get("FunctionArn", "")),
                "CONFIGLEDGER_FUNCTION_TIMEOUT": str(configuration.get("Timeout", 3)),
            }
        )
        return env

    def _run(
        self,
        configuration: dict[str, Any],
        code_dir: Path,
        account_id: str,
        region: str,
        payload: str,
        event: dict[str, Any],
    ) -> Outcome:
        timeout = float(configuration.get("Timeout", 3))
        handler = str(configuration.get("Handler") or "lambda_function.lambda_handler")
        env = self._environment(configuration, account_id, region)
        env["LAMBDA_TASK_ROOT"] = str(code_dir)
        key = (str(code_dir), handler, tuple(sorted(env.items())))
        process = self.pool.take(key) or WarmProcess(
            [sys.executable, "-I", RUNNER, str(code_dir), handler], env
        )
        with self._lock:
            self._busy.add(process)
        try:
            result = process.invoke(payload, timeout + START_GRACE)
        finally:
            with self._lock:
                self._busy.discard(process)
        if result is None:
            process.kill()
            if process.timed_out:
                return Outcome(("Sandbox.Timedout", f"Task timed out after {timeout:.2f} seconds"))
            return Outcome(
                ("Runtime.ExitError", f"The runtime exited with status {process.returncode}: "
                 f"{process.log_tail()}")
            )  # fmt: skip
        if process.alive:
            self.pool.give(key, process)
        else:
            process.kill()
        if not result.get("ok"):
            return Outcome((str(result["errorType"]), str(result["errorMessage"])))
        if not result.get("reported"):
            return Outcome(
                (NOT_REPORTED, "The function returned without calling PutEvaluations with the "
                 f"result token of its invocation (rule {event.get('configRuleName')})")
            )  # fmt: skip
        return Outcome()

    def close(self) -> None:
        """End every runner, idle or busy (a busy one's invocation is left unrecorded
        by the worker, to run again on the next start)."""
        self.pool.close()
        with self._lock:
            busy, self._busy = self._busy, set()
        for process in busy:
            process.kill()


class WarmProcess:
    """One running ``lambda_runner.py``: events in on stdin, outcomes out on a pipe of
    their own (the handler's prints go to a log file, never into the protocol)."""

    def __init__(self, argv: list[str], env: dict[str, str]) -> None:
        self.workdir = Path(tempfile.mkdtemp(prefix="configledger-lambda-"))
        self._log = (self.workdir / "log").open("wb")
        read_end, write_end = os.pipe()
        try:
            self.proc = subprocess.Popen(
                [*argv, str(write_end)],
                stdin=subprocess.PIPE,
                stdout=self._log,
                stderr=subprocess.STDOUT,
                env=env,
                cwd=self.workdir,
                pass_fds=(write_end,),
            )
        finally:
            os.close(write_end)
        self._read_end = read_end
        self._buffer = b""
        self.timed_out = False

    @property
    def alive(self) -> bool:
        return self.proc.poll() is None

    @property
    def returncode(self) -> int | None:
        return self.proc.poll()

    def invoke(self, payload: str, limit_s: float) -> dict[str, Any] | None:
        """The outcome of one event, or None if the process died or outlived ``limit_s``."""
        assert self.proc.stdin is not None
        try:
            self.proc.stdin.write(payload.encode() + b"\n")
            self.proc.stdin.flush()
        except OSError:
            return None
        deadline = time.monotonic() + limit_s
        while b"\n" not in self._buffer:
            left = deadline - time.monotonic()
            if left <= 0:
                self.timed_out = True
                return None
            # poll, not select: a busy server's descriptors run past select's 1024.
            poller = select.poll()
            poller.register(self._read_end, select.POLLIN | select.POLLHUP)
            if not poller.poll(max(1, int(left * 1000))):
                continue
            chunk = os.read(self._read_end, 65536)
            if not chunk:
                self.proc.wait(timeout=5)
                return None
            self._buffer += chunk
        line, _, self._buffer = self._buffer.partition(b"\n")
        if not self.alive:
            self.proc.wait(timeout=5)
        answer: dict[str, Any] = json.loads(line)
        return answer

    def log_tail(self) -> str:
        self._log.flush()
        try:
            text = (self.workdir / "log").read_bytes().decode(errors="replace")
        except OSError:
            return ""
        return text.strip()[-500:]

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.proc.wait(timeout=5)
        for handle in (self.proc.stdin,):
            if handle is not None:
                with contextlib.suppress(OSError):
                    handle.close()
        with contextlib.suppress(OSError):
            os.close(self._read_end)
        self._log.close()
        shutil.rmtree(self.workdir, ignore_errors=True)


class WarmPool:
    """Idle warm processes by (code, handler, environment), the oldest evicted first."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._lock = threading.Lock()
        self._idle: list[tuple[Any, WarmProcess]] = []

    def take(self, key: Any) -> WarmProcess | None:
        with self._lock:
            for index, (found, process) in enumerate(self._idle):
                if found == key:
                    del self._idle[index]
                    if process.alive:
                        return process
                    process.kill()
                    return None
        return None

    def give(self, key: Any, process: WarmProcess) -> None:
        evicted: list[WarmProcess] = []
        with self._lock:
            self._idle.append((key, process))
            while len(self._idle) > self.limit:
                evicted.append(self._idle.pop(0)[1])
        for old in evicted:
            old.kill()

    def close(self) -> None:
        with self._lock:
            idle, self._idle = self._idle, []
        for _, process in idle:
            process.kill()


def _client_error(exc: ClientError) -> Outcome:
    error = exc.response.get("Error", {})
    return Outcome((str(error.get("Code", "Unknown")), str(error.get("Message", ""))))
