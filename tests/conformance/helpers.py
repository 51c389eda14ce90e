"""Steps shared by the conformance pack tests: packs, waits, compliance reads."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import boto3
from botocore.config import Config as BotoConfig

from tests.conftest import REGION, LiveServer

TIMEOUT = 30.0
POLL = 0.05


def wait_for(probe: Callable[[], Any], what: str, timeout: float = TIMEOUT) -> Any:
    deadline = time.monotonic() + timeout
    last: Any = None
    while time.monotonic() < deadline:
        last = probe()
        if last:
            return last
        time.sleep(POLL)
    raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what} (last: {last!r})")


def status(config: Any, name: str) -> dict[str, Any]:
    found = config.describe_conformance_pack_status(ConformancePackNames=[name])
    [detail] = found["ConformancePackStatusDetails"]
    return detail  # type: ignore[no-any-return]


def pack_rules(config: Any, name: str) -> dict[str, str]:
    """The pack's rules: deployed name -> compliance."""
    found = config.describe_conformance_pack_compliance(ConformancePackName=name)
    return {
        r["ConfigRuleName"]: r["ComplianceType"] for r in found["ConformancePackRuleComplianceList"]
    }


def summary(config: Any, name: str) -> str:
    found = config.get_conformance_pack_compliance_summary(ConformancePackNames=[name])
    [entry] = found["ConformancePackComplianceSummaryList"]
    return entry["ConformancePackComplianceStatus"]  # type: ignore[no-any-return]


def score(config: Any, name: str) -> str:
    found = config.list_conformance_pack_compliance_scores(Filters={"ConformancePackNames": [name]})
    [entry] = found["ConformancePackComplianceScores"]
    return entry["Score"]  # type: ignore[no-any-return]


def details(config: Any, name: str, **filters: Any) -> set[tuple[str, str, str]]:
    """(rule, resource id, compliance) of every result the pack reports."""
    out: set[tuple[str, str, str]] = set()
    token = None
    while True:
        extra = {"NextToken": token} if token else {}
        page = config.get_conformance_pack_compliance_details(
            ConformancePackName=name, Filters=filters, **extra
        )
        for r in page["ConformancePackRuleEvaluationResults"]:
            qualifier = r["EvaluationResultIdentifier"]["EvaluationResultQualifier"]
            out.add((qualifier["ConfigRuleName"], qualifier["ResourceId"], r["ComplianceType"]))
        token = page.get("NextToken")
        if not token:
            return out


def base_name(rule: str) -> str:
    """A pack rule's name without the pack's suffix."""
    return rule.rsplit("-conformance-pack-", 1)[0]


def error_code(exc: Exception) -> str:
    return exc.response["Error"]["Code"]  # type: ignore[attr-defined,no-any-return]


def sandbox(server: LiveServer, account: str, service: str) -> Any:
    """A client of the server's embedded AWS acting as ``account``."""
    return boto3.client(
        service,
        endpoint_url=server.url,
        region_name=REGION,
        aws_access_key_id=account,
        aws_secret_access_key="test",
        config=BotoConfig(retries={"max_attempts": 1, "mode": "standard"}),
    )


def template_key(account: str, pack: str, pack_id: str, prefix: str | None = None) -> str:
    """Where the pack's template is written in its delivery bucket (rules/conformance/
    archive.py)."""
    root = f"{prefix}/AWSLogs" if prefix else "AWSLogs"
    return f"{root}/{account}/Config/{REGION}/ConformancePacks/{pack}/{pack_id}/template"
