"""Runs one Lambda rule invocation in its own Python process, as Lambda's runtime would.

Started as ``python -I lambda_runner.py <code dir> <handler> <outcome file>`` with the
event on stdin and the function's environment (its variables, AWS_REGION, credentials
and AWS_ENDPOINT_URL pointing back at ConfigLedger) already set by the parent. It
imports nothing of ConfigLedger, so the function sees a clean interpreter: its own code
directory first on ``sys.path``, then the interpreter's packages (boto3).

The outcome file receives one JSON object: ``{"ok": true, "reported": bool}`` or
``{"ok": false, "errorType", "errorMessage"}``. ``reported`` says whether the handler
called PutEvaluations with the invocation's result token (observed on botocore's client
call, so any boto3 client the function builds counts). A watchdog ends the process when
the function's timeout passes, with Lambda's own "Task timed out" error.
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
from typing import Any

_state = {"reported": False}


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


def _write(path: str, outcome: dict[str, Any]) -> None:
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as fh:
        json.dump(outcome, fh)
    os.replace(tmp, path)


def _watch_put_evaluations(token: str) -> None:
    from botocore.client import BaseClient

    original = BaseClient._make_api_call

    def observed(self: Any, operation_name: str, api_params: dict[str, Any]) -> Any:
        answer = original(self, operation_name, api_params)
        if operation_name == "PutEvaluations" and api_params.get("ResultToken") == token:
            _state["reported"] = True
        return answer

    BaseClient._make_api_call = observed


def main(argv: list[str]) -> int:
    code_dir, handler_name, outcome_path = argv[1], argv[2], argv[3]
    timeout_s = float(os.environ.get("CONFIGLEDGER_FUNCTION_TIMEOUT", "3"))
    event = json.loads(sys.stdin.read())
    sys.path.insert(0, code_dir)
    os.chdir(code_dir)

    def timed_out() -> None:
        _write(
            outcome_path,
            {
                "ok": False,
                "errorType": "Sandbox.Timedout",
                "errorMessage": f"Task timed out after {timeout_s:.2f} seconds",
            },
        )
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(3)

    try:
        _watch_put_evaluations(str(event.get("resultToken", "")))
        module_name, _, function_name = handler_name.rpartition(".")
        module = importlib.import_module(module_name.replace("/", "."))
        handler = getattr(module, function_name)
    except Exception as exc:  # Lambda's Runtime.ImportModuleError / HandlerNotFound
        kind = (
            "Runtime.HandlerNotFound"
            if isinstance(exc, AttributeError)
            else ("Runtime.ImportModuleError")
        )
        _write(outcome_path, {"ok": False, "errorType": kind, "errorMessage": str(exc)})
        return 2
    context = LambdaContext(timeout_s)
    watchdog = threading.Timer(timeout_s, timed_out)
    watchdog.daemon = True
    watchdog.start()
    try:
        handler(event, context)
    except BaseException as exc:  # a handler's SystemExit is an error too, as on Lambda
        watchdog.cancel()
        traceback.print_exc()
        _write(
            outcome_path,
            {"ok": False, "errorType": type(exc).__name__, "errorMessage": str(exc)[:1000]},
        )
        return 1
    watchdog.cancel()
    _write(outcome_path, {"ok": True, "reported": _state["reported"]})
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
