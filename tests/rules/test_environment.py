"""The Environment rules see: the store's current items in stream form, and boto3 calls
through the recorder's sessions (here the sandbox of a live server)."""

from __future__ import annotations

import pytest

from configledger.recorder.sessions import Sessions
from configledger.rules.environment import StoreEnvironment
from configledger.rules.types import AwsCallFailed
from tests.conftest import LiveServer, config_client, new_account, start_custom_recording
from tests.rules.helpers import CUSTOM, put_custom


def test_items_and_calls(server: LiveServer) -> None:
    account = new_account()
    config = config_client(server, account)
    start_custom_recording(config)
    put_custom(config, "a", {"size": 1}, Tags={"env": "prod"})
    put_custom(config, "b", {"size": 2})
    config.delete_resource_config(ResourceType=CUSTOM, ResourceId="b")
    runtime = server.app.runtime
    env = StoreEnvironment(
        runtime.database,
        Sessions(runtime.settings, runtime.credentials),
        account,
        "us-east-1",
        runtime.clock.now_ms(),
    )
    items = list(env.items(CUSTOM))
    assert [(i["resourceId"], i["configuration"], i["tags"]) for i in items] == [
        ("a", {"size": 1}, {"env": "prod"})
    ]  # stream form, deleted resources left out
    assert env.item(CUSTOM, "a") is not None and env.item(CUSTOM, "b") is None
    assert items[0]["configurationItemStatus"] == "ResourceDiscovered"

    sns = env.call("sns", "create_topic", Name="alerts")
    assert sns["TopicArn"].endswith(f":{account}:alerts")
    with pytest.raises(AwsCallFailed) as error:
        env.call("iam", "get_role", RoleName="missing")
    assert error.value.code == "NoSuchEntity"
