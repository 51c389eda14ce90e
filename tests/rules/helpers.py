"""Shared steps of the rules tests: a recording account, rules, outbox reads, tokens."""

from __future__ import annotations

from typing import Any

import orjson
from sqlalchemy import create_engine, select

from configledger.rules.tokens import Invocation, result_tokens
from configledger.store.schema import outbox
from tests.conftest import REGION, ROLE_ARN, LiveServer

SG = "AWS::EC2::SecurityGroup"
CUSTOM = "Acme::Fleet::Agent"


def record_only(config: Any, *types: str) -> None:
    """A running recorder recording only ``types`` (quick sweeps)."""
    config.put_configuration_recorder(
        ConfigurationRecorder={
            "name": "default",
            "roleARN": ROLE_ARN,
            "recordingGroup": {"allSupported": False, "resourceTypes": list(types)},
        }
    )
    config.put_delivery_channel(DeliveryChannel={"name": "default", "s3BucketName": "b"})
    config.start_configuration_recorder(ConfigurationRecorderName="default")


def outbox_messages(server: LiveServer, account: str, topic: str) -> list[dict[str, Any]]:
    engine = create_engine(server.db_url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(
                select(outbox.c.payload)
                .where(outbox.c.account_id == account, outbox.c.topic == topic)
                .order_by(outbox.c.seq)
            )
            return [orjson.loads(row[0])["message"] for row in rows]
    finally:
        engine.dispose()


def put_custom(config: Any, resource_id: str, configuration: dict[str, Any], **extra: Any) -> None:
    config.put_resource_config(
        ResourceType=CUSTOM,
        SchemaVersionId="1",
        ResourceId=resource_id,
        Configuration=orjson.dumps(configuration).decode(),
        **extra,
    )


def lambda_rule(config: Any, name: str, **scope: Any) -> dict[str, Any]:
    config.put_config_rule(
        ConfigRule={
            "ConfigRuleName": name,
            "Scope": scope or {"ComplianceResourceTypes": [CUSTOM]},
            "Source": {
                "Owner": "CUSTOM_LAMBDA",
                "SourceIdentifier": f"arn:aws:lambda:{REGION}:123456789012:function:{name}",
                "SourceDetails": [
                    {
                        "EventSource": "aws.config",
                        "MessageType": "ConfigurationItemChangeNotification",
                    }
                ],
            },
        }
    )
    rule: dict[str, Any] = config.describe_config_rules(ConfigRuleNames=[name])["ConfigRules"][0]
    return rule


def token_for(
    server: LiveServer,
    account: str,
    rule: dict[str, Any],
    *,
    now_ms: int,
    ttl_ms: int = 3_600_000,
    resource: tuple[str, str] | None = None,
    region: str = REGION,
) -> str:
    """A result token as the server hands a Lambda rule's invocation: issued by the
    server's own signer (the store's secret), bound to the rule and its trigger."""
    signer = result_tokens(server.app.runtime.database)
    return signer.issue(
        Invocation(
            account_id=account,
            region=region,
            rule_name=rule["ConfigRuleName"],
            rule_id=rule["ConfigRuleId"],
            message_type="ConfigurationItemChangeNotification"
            if resource
            else "ScheduledNotification",
            resource_type=resource[0] if resource else None,
            resource_id=resource[1] if resource else None,
            ordering_ms=now_ms,
            invoked_ms=now_ms,
            expires_ms=now_ms + ttl_ms,
        )
    )
