"""The conformance pack state machine of spec 9.1 as a client meets it: PutConformancePack
and DeleteConformancePack return at once with the pack CREATE_IN_PROGRESS,
UPDATE_IN_PROGRESS or DELETE_IN_PROGRESS; while it is, both are refused with
ResourceInUseException (AWS's documented answer); the background deployment then moves
it to *_COMPLETE, *_FAILED or away. The server holds each request back ``DELAY`` seconds
of its frozen clock, so every state is seen; the template goes to the delivery bucket,
and a write that fails is retried until it succeeds or its deadline passes; a restart
resumes whatever was in progress. On both stores.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import orjson
import pytest
from botocore.exceptions import ClientError

from configledger.clock import FrozenClock
from configledger.rules.conformance.deployment import RETRY_DEADLINE_SECONDS
from tests.conformance.conftest import DELAY
from tests.conformance.helpers import (
    error_code,
    pack_rules,
    sandbox,
    status,
    summary,
    template_key,
    wait_for,
)
from tests.conftest import (
    ROLE_ARN,
    LiveServer,
    config_client,
    drop_postgres_schema,
    fresh_postgres_url,
    pack_deleted,
    pack_settled,
    postgres_available,
    start_custom_recording,
    start_server,
)
from tests.rules.helpers import CUSTOM

TEMPLATE = f"""
Parameters:
  Key: {{Type: String, Default: CostCenter}}
Resources:
  Tagged:
    Type: AWS::Config::ConfigRule
    Properties:
      ConfigRuleName: tagged
      Scope: {{ComplianceResourceTypes: ["{CUSTOM}"]}}
      InputParameters: {{tag1Key: !Ref Key}}
      Source: {{Owner: AWS, SourceIdentifier: REQUIRED_TAGS}}
"""
BOGUS = TEMPLATE.replace("REQUIRED_TAGS", "NOT_A_MANAGED_RULE")


def refused_in_use(call: Callable[[], Any]) -> str:
    with pytest.raises(ClientError) as caught:
        call()
    assert error_code(caught.value) == "ResourceInUseException"
    return str(caught.value.response["Error"]["Message"])


def seconds(value: Any) -> int:
    """A boto3 timestamp in epoch milliseconds."""
    return round(value.timestamp() * 1000)


def rule_parameters(config: Any) -> list[dict[str, str]]:
    return [
        orjson.loads(r["InputParameters"]) for r in config.describe_config_rules()["ConfigRules"]
    ]


def test_create_update_and_delete_pass_through_their_states(
    paced: tuple[Any, FrozenClock, LiveServer, str],
) -> None:
    config, clock, _, account = paced
    start_custom_recording(config)
    put = lambda **extra: config.put_conformance_pack(  # noqa: E731
        ConformancePackName="paced", TemplateBody=TEMPLATE, **extra
    )
    delete = lambda: config.delete_conformance_pack(ConformancePackName="paced")  # noqa: E731

    # Created: the ARN at once, CREATE_IN_PROGRESS without a reason or completion time.
    requested = clock.now_ms()
    arn = put()["ConformancePackArn"]
    found = status(config, "paced")
    assert found["ConformancePackState"] == "CREATE_IN_PROGRESS"
    assert found["ConformancePackArn"] == arn
    assert seconds(found["LastUpdateRequestedTime"]) == requested
    assert "LastUpdateCompletedTime" not in found
    assert "ConformancePackStatusReason" not in found
    assert found["StackArn"].startswith(
        f"arn:aws:cloudformation:us-east-1:{account}:stack/awsconfigconforms-paced-"
    )
    [detail] = config.describe_conformance_packs()["ConformancePackDetails"]
    assert detail["ConformancePackArn"] == arn
    assert config.describe_config_rules()["ConfigRules"] == []
    assert pack_rules(config, "paced") == {}
    assert summary(config, "paced") == "INSUFFICIENT_DATA"
    assert "in progress" in refused_in_use(put)
    refused_in_use(delete)

    clock.advance(DELAY * 1000)
    found = pack_settled(config, "paced")
    assert found["ConformancePackState"] == "CREATE_COMPLETE"
    assert seconds(found["LastUpdateCompletedTime"]) == clock.now_ms()
    assert seconds(found["LastUpdateRequestedTime"]) == requested
    assert rule_parameters(config) == [{"tag1Key": "CostCenter"}]
    created = found["LastUpdateCompletedTime"]

    # Updated: the request is described at once, the rules change when it completes.
    owner = [{"ParameterName": "Key", "ParameterValue": "Owner"}]
    assert put(ConformancePackInputParameters=owner)["ConformancePackArn"] == arn
    found = status(config, "paced")
    assert found["ConformancePackState"] == "UPDATE_IN_PROGRESS"
    assert found["LastUpdateCompletedTime"] == created
    assert seconds(found["LastUpdateRequestedTime"]) == clock.now_ms()
    [detail] = config.describe_conformance_packs()["ConformancePackDetails"]
    assert detail["ConformancePackInputParameters"] == owner
    assert rule_parameters(config) == [{"tag1Key": "CostCenter"}]
    refused_in_use(put)
    refused_in_use(delete)
    clock.advance(DELAY * 1000)
    assert pack_settled(config, "paced")["ConformancePackState"] == "UPDATE_COMPLETE"
    assert rule_parameters(config) == [{"tag1Key": "Owner"}]

    # Deleted: DELETE_IN_PROGRESS keeps the rules and their reports until it completes.
    rules = pack_rules(config, "paced")
    delete()
    assert status(config, "paced")["ConformancePackState"] == "DELETE_IN_PROGRESS"
    assert pack_rules(config, "paced") == rules
    refused_in_use(put)
    refused_in_use(delete)
    clock.advance(DELAY * 1000)
    pack_deleted(config, "paced")
    assert config.describe_config_rules()["ConfigRules"] == []
    with pytest.raises(ClientError) as caught:
        delete()
    assert error_code(caught.value) == "NoSuchConformancePackException"


def test_a_failed_creation_reports_its_reason_and_is_created_anew(
    paced: tuple[Any, FrozenClock, LiveServer, str],
) -> None:
    config, clock, _, _ = paced
    start_custom_recording(config)
    # A rule AWS would refuse fails the deployment, not the request.
    config.put_conformance_pack(ConformancePackName="bogus", TemplateBody=BOGUS)
    assert status(config, "bogus")["ConformancePackState"] == "CREATE_IN_PROGRESS"
    clock.advance(DELAY * 1000)
    found = pack_settled(config, "bogus")
    assert found["ConformancePackState"] == "CREATE_FAILED"
    assert (
        "The sourceIdentifier NOT_A_MANAGED_RULE is invalid"
        in (found["ConformancePackStatusReason"])
    )
    assert "LastUpdateCompletedTime" not in found  # never deployed

    # Put again, it is a creation again; a template AWS refuses is still refused at once.
    config.put_conformance_pack(ConformancePackName="bogus", TemplateBody=TEMPLATE)
    found = status(config, "bogus")
    assert found["ConformancePackState"] == "CREATE_IN_PROGRESS"
    assert "ConformancePackStatusReason" not in found
    with pytest.raises(ClientError) as caught:
        config.put_conformance_pack(ConformancePackName="other", TemplateBody="Resources: [")
    assert error_code(caught.value) == "ConformancePackTemplateValidationException"
    clock.advance(DELAY * 1000)
    assert pack_settled(config, "bogus")["ConformancePackState"] == "CREATE_COMPLETE"


def test_the_template_is_stored_once_its_bucket_takes_it(
    paced: tuple[Any, FrozenClock, LiveServer, str],
) -> None:
    config, clock, server, account = paced
    start_custom_recording(config)
    s3 = sandbox(server, account, "s3")
    bucket = f"awsconfigconforms-late-{account}"
    config.put_conformance_pack(
        ConformancePackName="late",
        TemplateBody=TEMPLATE,
        DeliveryS3Bucket=bucket,
        DeliveryS3KeyPrefix="archive",
    )
    clock.advance(DELAY * 1000)

    # The bucket does not exist yet: the deployment waits, saying why, and writes no rule.
    def retrying() -> dict[str, Any] | None:
        found = status(config, "late")
        return found if "NoSuchBucket" in found.get("ConformancePackStatusReason", "") else None

    found = wait_for(retrying, "the pack to report the missing bucket")
    assert found["ConformancePackState"] == "CREATE_IN_PROGRESS"
    assert found["ConformancePackStatusReason"].startswith("Attempt 1 failed: ")
    assert (
        f"s3://{bucket}/archive/AWSLogs/{account}/Config/" in found["ConformancePackStatusReason"]
    )
    assert config.describe_config_rules()["ConfigRules"] == []
    refused_in_use(lambda: config.delete_conformance_pack(ConformancePackName="late"))

    # Once it exists, the next attempt stores the template and deploys the pack.
    s3.create_bucket(Bucket=bucket)
    clock.advance(300_000)  # past the longest backoff, short of the deadline
    found = pack_settled(config, "late")
    assert found["ConformancePackState"] == "CREATE_COMPLETE"
    assert "ConformancePackStatusReason" not in found
    key = template_key(account, "late", found["ConformancePackId"], prefix="archive")
    stored = s3.get_object(Bucket=bucket, Key=key)
    assert stored["Body"].read().decode() == TEMPLATE
    assert stored["ContentType"] == "application/x-yaml"
    assert len(pack_rules(config, "late")) == 1

    # An update writes the template it deploys over the one before.
    updated = TEMPLATE.replace("Default: CostCenter", "Default: Team")
    config.put_conformance_pack(
        ConformancePackName="late",
        TemplateBody=updated,
        DeliveryS3Bucket=bucket,
        DeliveryS3KeyPrefix="archive",
    )
    clock.advance(DELAY * 1000)
    assert pack_settled(config, "late")["ConformancePackState"] == "UPDATE_COMPLETE"
    assert s3.get_object(Bucket=bucket, Key=key)["Body"].read().decode() == updated


def test_a_bucket_that_never_takes_the_template_fails_the_pack_at_the_deadline(
    paced: tuple[Any, FrozenClock, LiveServer, str],
) -> None:
    config, clock, _, account = paced
    start_custom_recording(config)
    bucket = f"awsconfigconforms-never-{account}"
    config.put_conformance_pack(
        ConformancePackName="never", TemplateBody=TEMPLATE, DeliveryS3Bucket=bucket
    )
    clock.advance(DELAY * 1000)
    wait_for(
        lambda: "NoSuchBucket" in status(config, "never").get("ConformancePackStatusReason", ""),
        "the first failed attempt",
    )
    clock.advance(RETRY_DEADLINE_SECONDS * 1000)
    found = pack_settled(config, "never")
    assert found["ConformancePackState"] == "CREATE_FAILED"
    reason = found["ConformancePackStatusReason"]
    assert reason.startswith("Conformance pack create failed: ")
    assert f"s3://{bucket}/AWSLogs/{account}/Config/us-east-1/ConformancePacks/never/" in reason
    assert "NoSuchBucket" in reason
    assert config.describe_config_rules()["ConfigRules"] == []
    # A failed pack can be deleted.
    config.delete_conformance_pack(ConformancePackName="never")
    clock.advance(DELAY * 1000)
    pack_deleted(config, "never")


@pytest.mark.parametrize("store", ["sqlite", "postgresql"])
def test_a_restart_resumes_what_was_in_progress(store: str, tmp_path: Any, account: str) -> None:
    """The request lives in the store: a server that stops with a pack in progress
    leaves it to the next one, which carries it out."""
    if store == "postgresql":
        if not postgres_available():
            pytest.skip("PostgreSQL not reachable")
        url = fresh_postgres_url()
    else:
        url = f"sqlite:///{tmp_path / 'restart.db'}"

    def run(delay: int, step: Callable[[Any], None]) -> None:
        # A stopped clock at wall time: requests are held back for as long as it runs.
        clock = FrozenClock(time.time_ns() // 1_000_000) if delay else None
        server = start_server(url, clock=clock, conformance_pack_deployment_delay=delay)
        try:
            step(config_client(server, account))
        finally:
            server.stop()

    def put(config: Any) -> None:
        # A recorder that is not started: the pack needs one, and no sweep slows the stops.
        config.put_configuration_recorder(
            ConfigurationRecorder={"name": "default", "roleARN": ROLE_ARN}
        )
        config.put_conformance_pack(ConformancePackName="resumed", TemplateBody=TEMPLATE)
        assert status(config, "resumed")["ConformancePackState"] == "CREATE_IN_PROGRESS"

    def created(config: Any) -> None:
        assert pack_settled(config, "resumed")["ConformancePackState"] == "CREATE_COMPLETE"
        assert len(pack_rules(config, "resumed")) == 1

    def delete(config: Any) -> None:
        config.delete_conformance_pack(ConformancePackName="resumed")
        assert status(config, "resumed")["ConformancePackState"] == "DELETE_IN_PROGRESS"

    def deleted(config: Any) -> None:
        pack_deleted(config, "resumed")
        assert config.describe_config_rules()["ConfigRules"] == []

    try:
        run(3600, put)
        run(0, created)
        run(3600, delete)
        run(0, deleted)
    finally:
        if store == "postgresql":
            drop_postgres_schema(url)
