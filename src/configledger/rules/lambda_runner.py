"""A warm execution environment of one Lambda function: a Python process that imports
the handler once and runs it for one invocation after another, as Lambda reuses its.

Started as ``python -I lambda_runner.py <code dir> <handler> <outcome fd>`` with the
function's environment (its variables, AWS_REGION, credentials and AWS_ENDPOINT_URL
pointing back at ConfigLedger) already set by the parent. Each line on stdin is one
event (JSON); for each, one line of JSON is written to the outcome file descriptor:
``{"ok": true, "reported": bool}`` or ``{"ok": false, "errorType", "errorMessage"}``.
The handler's own prints go to stdout and stderr, which the parent keeps as the log.

It imports nothing of ConfigLedger, so the function sees a clean interpreter: its own
code directory first on ``sys.path``, then the interpreter's packages (boto3).
``reported`` says whether the handler called PutEvaluations with this invocation's
result token (observed on botocore's client call, so any boto3 client the function
builds counts). A watchdog ends the process when the function's timeout passes, with
Lambda's own "Task timed out" error; the parent then starts a fresh one, as Lambda
does after a timeout.
"""

from __future__ import annotations

import importlib
import json
import os
import sys
import threading
import time
import traceback
import uuid
from typing import Any, TextIO

_state: dict[str, Any] = {"token": None, "reported": False}


class LambdaContext:
    """The context object of Lambda's Python runtime (the attributes rules read)."""

    def __init__(self, timeout_s: float) -> None:
        self.function_name = os.environ.get("AWS_LAMBDA_FUNCTION_NAME", "")
        self.function_version = os.environ.get("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
        self.invoked_function_arn = os.environ.get("CONFIGLEDGER_FUNCTION_ARN", "")
        self.memory_limit_in_mb = os.environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "128")
        self.aws_request_id = str(uuid.uuid4())
        self.log_group_name = os.environ.get("AWS_LAMBDA_LOG_GROUP_NAME", "")
        self.log_stream_name = os.environ.get("AWS_LAMBDA_LOG_STREAM_NAME", "")
        self.identity = None
        self.client_context = None
        self._deadline = time.monotonic() + timeout_s

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - time.monotonic()) * 1000))


class Outcomes:
    """The outcome channel; the first outcome of an invocation wins (handler or watchdog)."""

    def __init__(self, out: TextIO) -> None:
        self._out = out
        self._lock = threading.Lock()
        self._sent = True

    def begin(self) -> None:
        with self._lock:
            self._sent = False

    def send(self, outcome: dict[str, Any]) -> bool:
        with self._lock:
            if self._sent:
                return False
            self._sent = True
            self._out.write(json.dumps(outcome) + "\n")
            self._out.flush()
            return True


def _watch_put_evaluations() -> None:
    from botocore.client import BaseClient

    original = BaseClient._make_api_call

    def observed(self: Any, operation_name: str, api_params: dict[str, Any]) -> Any:
        answer = original(self, operation_name, api_params)
        if operation_name == "PutEvaluations" and api_params.get("ResultToken") == _state["token"]:
            _state["reported"] = True
        return answer

    BaseClient._make_api_call = observed


def _error(kind: str, message: str) -> dict[str, Any]:
    return {"ok": False, "errorType": kind, "errorMessage": message[:1000]}


def main(argv: list[str]) -> int:
    code_dir, handler_name, outcome_fd = argv[1], argv[2], int(argv[3])
    timeout_s = float(os.environ.get("CONFIGLEDGER_FUNCTION_TIMEOUT", "3"))
    outcomes = Outcomes(os.fdopen(outcome_fd, "w", encoding="utf-8"))
    sys.path.insert(0, code_dir)
    os.chdir(code_dir)
    init_error: dict[str, Any] | None = None
    handler: Any = None
    try:
        _watch_put_evaluations()
        module_name, _, function_name = handler_name.rpartition(".")
        module = importlib.import_module(module_name.replace("/", "."))
        handler = getattr(module, function_name)
    except AttributeError as exc:
        init_error = _error("Runtime.HandlerNotFound", str(exc))
    except Exception as exc:
        init_error = _error("Runtime.ImportModuleError", f"{type(exc).__name__}: {exc}")

    def timed_out() -> None:
        if outcomes.send(
            _error("Sandbox.Timedout", f"Task timed out after {timeout_s:.2f} seconds")
        ):
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(3)

    while True:
        line = sys.stdin.readline()
        if not line:
            return 0
        event = json.loads(line)
        outcomes.begin()
        if init_error is not None:
            outcomes.send(init_error)
            return 2  # Lambda starts a fresh environment after a failed init
        _state["token"] = event.get("resultToken")
        _state["reported"] = False
        watchdog = threading.Timer(timeout_s, timed_out)
        watchdog.daemon = True
        watchdog.start()
        try:
            handler(event, LambdaContext(timeout_s))
        except BaseException as exc:  # a handler's SystemExit is an error too, as on Lambda
            watchdog.cancel()
            traceback.print_exc()
            outcomes.send(_error(type(exc).__name__, str(exc)))
            if not isinstance(exc, Exception):
                return 1
            continue
        watchdog.cancel()
        outcomes.send({"ok": True, "reported": bool(_state["reported"])})
        sys.stdout.flush()


if __name__ == "__main__":
    sys.exit(main(sys.argv))
