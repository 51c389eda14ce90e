"""Rules over what the recorder really records: a fresh account in the embedded sandbox,
recording the types a test names, whose items are read back over the Config API.

``stream_form`` turns an API-form item (GetResourceConfigHistory) into the stream form
rules get, through the library's own ``ConfigurationItem``: the rebuilt item renders
itself exactly as the store's does (a test holds the two equal). ``SandboxEnvironment``
is the rules' Environment over the same account: AWS calls go to the sandbox through
boto3, items are read back from ConfigLedger over the API.
"""

from __future__ import annotations

import contextlib
import json
import time
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import boto3
from botocore.config import Config as BotoConfig
from botocore.exceptions import ClientError

from configledger.history.items import ConfigurationItem, ItemStatus, Relationship
from configledger.rules.managed import MANAGED_RULES
from configledger.rules.types import AwsCallFailed, ComplianceType, RuleInput, Trigger
from tests.conftest import REGION, LiveServer, config_client, new_account
from tests.rules.managed.support import account_item, typed_params

FIRST_SWEEP_TIMEOUT = 120.0  # the session's first sweep also warms the sandbox up
# A change reaches compliance in well under a second on an idle machine (bench/evaluate.py
# measures it); on a loaded CI machine sharing one server between many tests it can queue.
CHANGE_TIMEOUT = 60.0
ENGINE_TIMEOUT = 120.0  # a change recorded, then evaluated, on a loaded machine
POLL = 0.05


def _ms(value: Any) -> int:
    if isinstance(value, datetime):
        return int(value.timestamp() * 1000)
    return int(float(value) * 1000)


def stream_form(api_item: Mapping[str, Any]) -> dict[str, Any]:
    """An item as GetResourceConfigHistory returns it (boto3 parsed), in stream form."""
    created = api_item.get("resourceCreationTime")
    item = ConfigurationItem(
        account_id=api_item["accountId"],
        aws_region=api_item["awsRegion"],
        resource_type=api_item["resourceType"],
        resource_id=api_item["resourceId"],
        capture_ms=_ms(api_item["configurationItemCaptureTime"]),
        state_id=int(api_item["configurationStateId"]),
        status=ItemStatus(api_item["configurationItemStatus"]),
        configuration=api_item.get("configuration"),
        resource_name=api_item.get("resourceName"),
        arn=api_item.get("arn"),
        availability_zone=api_item.get("availabilityZone"),
        resource_creation_ms=_ms(created) if created is not None else None,
        tags=dict(api_item.get("tags") or {}),
        relationships=tuple(
            Relationship(
                r["resourceType"], r["relationshipName"], r.get("resourceId"), r.get("resourceName")
            )
            for r in api_item.get("relationships") or []
        ),
        related_events=tuple(api_item.get("relatedEvents") or []),
        supplementary_configuration=dict(api_item.get("supplementaryConfiguration") or {}),
        version=api_item["version"],
    )
    return item.to_stream()


def _slowly(probe: Callable[[], Any], pause: float) -> Any:
    """A probe that asks the API several things, paced to spare a loaded server."""
    value = probe()
    if not value:
        time.sleep(pause)
    return value


class RecordedAccount:
    """A fresh sandbox account whose recorder records ``types`` (and only those)."""

    def __init__(self, server: LiveServer, *types: str) -> None:
        self.server = server
        self.account = new_account()
        self.config = config_client(server, self.account)
        self._clients: dict[str, Any] = {}
        self.config.put_configuration_recorder(
            ConfigurationRecorder={
                "name": "default",
                "roleARN": f"arn:aws:iam::{self.account}:role/config-role",
                "recordingGroup": {"allSupported": False, "resourceTypes": list(types)},
            }
        )
        self.config.put_delivery_channel(
            DeliveryChannel={"name": "default", "s3BucketName": "config-bucket"}
        )
        self.config.start_configuration_recorder(ConfigurationRecorderName="default")
        self.wait(self._swept, "the recorder's first sweep", FIRST_SWEEP_TIMEOUT)

    def _swept(self) -> bool:
        [status] = self.config.describe_configuration_recorder_status()[
            "ConfigurationRecordersStatus"
        ]
        return status.get("lastStatus") == "SUCCESS"

    @staticmethod
    def wait(probe: Callable[[], Any], what: str, timeout: float = CHANGE_TIMEOUT) -> Any:
        deadline = time.monotonic() + timeout
        while True:
            value = probe()
            if value:
                return value
            if time.monotonic() >= deadline:
                raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what}")
            time.sleep(POLL)

    def client(self, service: str) -> Any:
        if service not in self._clients:
            client = boto3.client(
                service,
                endpoint_url=self.server.url,
                region_name=REGION,
                aws_access_key_id=self.account,
                aws_secret_access_key="test",
                config=BotoConfig(
                    retries={"max_attempts": 1, "mode": "standard"}, inject_host_prefix=False
                ),
            )
            # S3 Control's endpoint rules put the account id in front of the host, which
            # a local endpoint cannot resolve; the account is also in a header.
            client.meta.events.register("before-sign.s3-control", self._local_host)
            self._clients[service] = client
        return self._clients[service]

    def _local_host(self, request: Any, **_: Any) -> None:
        parts = urlsplit(request.url)
        prefix = f"{self.account}."
        if parts.netloc.startswith(prefix):
            request.url = urlunsplit(parts._replace(netloc=parts.netloc[len(prefix) :]))

    def newest(self, resource_type: str, resource_id: str) -> dict[str, Any] | None:
        """The resource's newest item in API form, None before it is recorded."""
        try:
            page = self.config.get_resource_config_history(
                resourceType=resource_type, resourceId=resource_id, limit=1
            )
        except self.config.exceptions.ResourceNotDiscoveredException:
            return None
        items = page["configurationItems"]
        return items[0] if items else None

    def environment(self) -> SandboxEnvironment:
        return SandboxEnvironment(self)

    def judge(self, identifier: str, item: Mapping[str, Any], **params: Any) -> ComplianceType:
        rule = MANAGED_RULES[identifier]
        found = rule.evaluate(
            RuleInput(item=item, params=typed_params(rule, params), env=self.environment())
        )
        assert not isinstance(found, Iterable), "one verdict expected"
        return found.compliance

    def settles(
        self,
        identifier: str,
        resource_type: str,
        resource_id: str,
        expected: ComplianceType,
        **params: Any,
    ) -> dict[str, Any]:
        """Wait until the resource's newest recorded item, in stream form, is judged
        ``expected`` by the rule, and return that item (the recorder writes the item of
        a change within moments; the wait is for a loaded machine)."""
        seen: list[Any] = []

        def probe() -> dict[str, Any] | None:
            api_item = self.newest(resource_type, resource_id)
            if api_item is None:
                return None
            item = stream_form(api_item)
            verdict = self.judge(identifier, item, **params)
            seen[:] = [verdict, api_item.get("configuration")]
            return item if verdict == expected else None

        found: dict[str, Any] = self.wait(
            probe, f"{identifier} {expected} on {resource_id} (last: {seen})"
        )
        return found

    def put_managed_rule(
        self, name: str, identifier: str, *resource_types: str, **params: Any
    ) -> None:
        """A managed rule in the live server's engine, scoped to ``resource_types``."""
        rule: dict[str, Any] = {
            "ConfigRuleName": name,
            "Source": {"Owner": "AWS", "SourceIdentifier": identifier},
        }
        if resource_types:
            rule["Scope"] = {"ComplianceResourceTypes": list(resource_types)}
        if params:
            rule["InputParameters"] = json.dumps(params)
        if Trigger.PERIODIC in MANAGED_RULES[identifier].triggers:
            rule["MaximumExecutionFrequency"] = "TwentyFour_Hours"
        self.config.put_config_rule(ConfigRule=rule)

    def compliance(
        self, rule_name: str, resource_type: str, resource_id: str
    ) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
        """The rule's result on the resource as GetComplianceDetailsByConfigRule and as
        GetComplianceDetailsByResource report it (None where a view has none)."""
        by_rule = None
        pages = self.config.get_paginator("get_compliance_details_by_config_rule")
        for page in pages.paginate(ConfigRuleName=rule_name):
            for result in page["EvaluationResults"]:
                qualifier = result["EvaluationResultIdentifier"]["EvaluationResultQualifier"]
                if (qualifier["ResourceType"], qualifier["ResourceId"]) == (
                    resource_type,
                    resource_id,
                ):
                    by_rule = result
        by_resource = None
        answer = self.config.get_compliance_details_by_resource(
            ResourceType=resource_type, ResourceId=resource_id
        )
        for result in answer["EvaluationResults"]:
            qualifier = result["EvaluationResultIdentifier"]["EvaluationResultQualifier"]
            if qualifier["ConfigRuleName"] == rule_name:
                by_resource = result
        return by_rule, by_resource

    def reported(
        self,
        rule_name: str,
        resource_type: str,
        resource_id: str,
        expected: ComplianceType,
        *,
        rerun: bool = False,
        timeout: float = ENGINE_TIMEOUT,
    ) -> dict[str, Any]:
        """Wait until both compliance views report ``expected`` for the resource under
        the rule, and return the rule view's result. ``rerun`` asks for the rule's
        evaluation (StartConfigRulesEvaluation) whenever AWS's limits allow, for
        rules that only run periodically."""
        seen: list[Any] = []

        def probe() -> dict[str, Any] | None:
            if rerun:
                # Refused while it runs or within a minute of the last ask: ask again later.
                with contextlib.suppress(self.config.exceptions.LimitExceededException):
                    self.config.start_config_rules_evaluation(ConfigRuleNames=[rule_name])
            by_rule, by_resource = self.compliance(rule_name, resource_type, resource_id)
            types = [r["ComplianceType"] if r else None for r in (by_rule, by_resource)]
            seen[:] = [types, (by_rule or {}).get("Annotation")]
            return by_rule if types == [expected.value, expected.value] else None

        found: dict[str, Any] = self.wait(
            lambda: _slowly(probe, 1.0 if rerun else 0.25),
            f"{rule_name} reporting {expected} on {resource_id} (last: {seen})",
            timeout,
        )
        return found

    def account_verdict(self, identifier: str, **params: Any) -> ComplianceType:
        item = {**account_item(), "resourceId": self.account, "awsAccountId": self.account}
        return self.judge(identifier, item, **params)


class SandboxEnvironment:
    """The rules' Environment over a sandbox account: real boto3 calls, real items."""

    def __init__(self, account: RecordedAccount) -> None:
        self._account = account
        self.account_id = account.account
        self.region = REGION
        self.now = datetime.now(UTC)

    def items(self, resource_type: str) -> list[Mapping[str, Any]]:
        config = self._account.config
        listed = config.list_discovered_resources(resourceType=resource_type, limit=100)
        out = []
        for resource in listed["resourceIdentifiers"]:
            api_item = self._account.newest(resource_type, resource["resourceId"])
            if api_item is not None:
                out.append(stream_form(api_item))
        return out

    def item(self, resource_type: str, resource_id: str) -> Mapping[str, Any] | None:
        api_item = self._account.newest(resource_type, resource_id)
        return stream_form(api_item) if api_item is not None else None

    def call(self, service: str, operation: str, **params: Any) -> dict[str, Any]:
        try:
            answer: dict[str, Any] = getattr(self._account.client(service), operation)(**params)
        except ClientError as error:
            details = error.response.get("Error", {})
            raise AwsCallFailed(details.get("Code", ""), details.get("Message", "")) from error
        answer.pop("ResponseMetadata", None)
        return answer
