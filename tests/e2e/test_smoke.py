"""The README's walk-through, end to end on both stores."""

from __future__ import annotations

import json

from tests.conftest import start_custom_recording


def test_custom_resource_history_walkthrough(config) -> None:
    start_custom_recording(config)
    for version in range(3):
        config.put_resource_config(
            ResourceType="MyCompany::Build::Agent",
            SchemaVersionId="00000001",
            ResourceId="agent-1",
            ResourceName="agent one",
            Configuration=json.dumps({"version": version}),
            Tags={"team": "ci"},
        )
    items = config.get_resource_config_history(
        resourceType="MyCompany::Build::Agent", resourceId="agent-1"
    )["configurationItems"]
    assert [json.loads(i["configuration"])["version"] for i in items] == [2, 1, 0]
    assert [i["configurationItemStatus"] for i in items] == ["OK", "OK", "ResourceDiscovered"]
    assert items[0]["tags"] == {"team": "ci"}
    assert items[0]["version"] == "1.3"
