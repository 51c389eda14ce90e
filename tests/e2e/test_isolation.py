"""Accounts and regions see only their own resources, on both stores.

Account A records in us-east-1; account B (same region) and account A in eu-west-1 must
find nothing of it through any read, cannot delete it, cannot use A's page tokens, and
recording the same (type, id) themselves starts an independent history.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.conftest import LiveServer, config_client, new_account, start_custom_recording
from tests.helpers import row_counts

AGENT = "MyCompany::Build::Agent"
QUEUE = "MyCompany::Build::Queue"


def put(client: Any, resource_id: str, n: int, resource_type: str = AGENT) -> None:
    client.put_resource_config(
        ResourceType=resource_type,
        SchemaVersionId="1",
        ResourceId=resource_id,
        ResourceName=f"name-{resource_id}",
        Configuration=json.dumps({"n": n}),
    )


def error_code(call: Any, **kwargs: Any) -> str:
    with pytest.raises(ClientError) as info:
        call(**kwargs)
    code: str = info.value.response["Error"]["Code"]
    return code


@pytest.fixture
def owner(backend: LiveServer, account: str) -> Any:
    """Account A in us-east-1 with two agents (one changed twice), a queue, a deleted one."""
    client = config_client(backend, account)
    start_custom_recording(client)
    for n in range(3):
        put(client, "shared-id", n)
    put(client, "a-only", 0)
    put(client, "shared-id", 0, QUEUE)
    put(client, "gone", 0)
    client.delete_resource_config(ResourceType=AGENT, ResourceId="gone")
    return client


def assert_sees_nothing(client: Any) -> None:
    for resource_type, resource_id in ((AGENT, "shared-id"), (AGENT, "gone"), (QUEUE, "shared-id")):
        code = error_code(
            client.get_resource_config_history, resourceType=resource_type, resourceId=resource_id
        )
        assert code == "ResourceNotDiscoveredException"
    for resource_type in (AGENT, QUEUE):
        for kwargs in (
            {},
            {"includeDeletedResources": True},
            {"resourceIds": ["shared-id", "a-only", "gone"]},
            {"resourceName": "name-shared-id"},
        ):
            found = client.list_discovered_resources(resourceType=resource_type, **kwargs)
            assert found["resourceIdentifiers"] == []
            assert "nextToken" not in found
    batch = client.batch_get_resource_config(
        resourceKeys=[
            {"resourceType": AGENT, "resourceId": "shared-id"},
            {"resourceType": AGENT, "resourceId": "a-only"},
            {"resourceType": QUEUE, "resourceId": "shared-id"},
        ]
    )
    assert batch["baseConfigurationItems"] == []
    assert batch["unprocessedResourceKeys"] == []
    counts = client.get_discovered_resource_counts()
    assert counts["totalDiscoveredResources"] == 0
    assert counts["resourceCounts"] == []
    filtered = client.get_discovered_resource_counts(resourceTypes=[AGENT, QUEUE])
    assert filtered["totalDiscoveredResources"] == 0


def test_the_owner_sees_its_resources(owner: Any) -> None:
    # The control for the tests below: the same reads do find A's resources.
    items = owner.get_resource_config_history(resourceType=AGENT, resourceId="shared-id")
    assert len(items["configurationItems"]) == 3
    assert len(owner.list_discovered_resources(resourceType=AGENT)["resourceIdentifiers"]) == 2
    assert (
        owner.get_discovered_resource_counts(resourceTypes=[AGENT, QUEUE])[
            "totalDiscoveredResources"
        ]
        == 3
    )


def test_another_account_in_the_same_region_sees_nothing(owner: Any, backend: LiveServer) -> None:
    other = config_client(backend, new_account())
    assert_sees_nothing(other)
    start_custom_recording(other)  # with its own recorder running, still nothing of A's
    assert_sees_nothing(other)


def test_the_same_account_in_another_region_sees_nothing(
    owner: Any, backend: LiveServer, account: str
) -> None:
    elsewhere = config_client(backend, account, region="eu-west-1")
    assert_sees_nothing(elsewhere)
    start_custom_recording(elsewhere)
    assert_sees_nothing(elsewhere)


@pytest.mark.parametrize("where", ["other-account", "other-region"])
def test_recording_the_same_id_elsewhere_is_an_independent_history(
    owner: Any, backend: LiveServer, account: str, where: str
) -> None:
    if where == "other-account":
        other = config_client(backend, new_account())
    else:
        other = config_client(backend, account, region="eu-west-1")
    start_custom_recording(other)
    # Deleting A's resource from elsewhere is refused: there, it does not exist.
    assert error_code(other.delete_resource_config, ResourceType=AGENT, ResourceId="a-only") == (
        "ValidationException"
    )
    put(other, "shared-id", 2)  # the same document A's current item has
    put(other, "gone", 7)
    theirs = other.get_resource_config_history(resourceType=AGENT, resourceId="shared-id")
    assert [i["configurationItemStatus"] for i in theirs["configurationItems"]] == [
        "ResourceDiscovered"
    ]
    gone = other.get_resource_config_history(resourceType=AGENT, resourceId="gone")
    assert [i["configurationItemStatus"] for i in gone["configurationItems"]] == [
        "ResourceDiscovered"
    ]
    # Counted by type: the start-up sweep may also list the sandbox's own resources.
    assert (
        other.get_discovered_resource_counts(resourceTypes=[AGENT])["totalDiscoveredResources"] == 2
    )
    # A's record is untouched.
    mine = owner.get_resource_config_history(resourceType=AGENT, resourceId="shared-id")
    assert [i["configurationItemStatus"] for i in mine["configurationItems"]] == [
        "OK",
        "OK",
        "ResourceDiscovered",
    ]
    owners_gone = owner.get_resource_config_history(resourceType=AGENT, resourceId="gone")
    assert owners_gone["configurationItems"][0]["configurationItemStatus"] == "ResourceDeleted"
    assert (
        owner.get_discovered_resource_counts(resourceTypes=[AGENT, QUEUE])[
            "totalDiscoveredResources"
        ]
        == 3
    )
    listed = owner.list_discovered_resources(resourceType=AGENT, includeDeletedResources=True)
    assert [r["resourceId"] for r in listed["resourceIdentifiers"]] == [
        "a-only",
        "gone",
        "shared-id",
    ]
    assert all(i["accountId"] == account for i in mine["configurationItems"])
    assert all(i["awsRegion"] == "us-east-1" for i in mine["configurationItems"])


def test_page_tokens_do_not_cross_accounts_or_regions(
    owner: Any, backend: LiveServer, account: str
) -> None:
    tokens = {
        "history": owner.get_resource_config_history(
            resourceType=AGENT, resourceId="shared-id", limit=1
        )["nextToken"],
        "list": owner.list_discovered_resources(resourceType=AGENT, limit=1)["nextToken"],
        "counts": owner.get_discovered_resource_counts(limit=1)["nextToken"],
    }
    for other in (
        config_client(backend, new_account()),
        config_client(backend, account, region="eu-west-1"),
    ):
        start_custom_recording(other)
        for n in range(3):
            put(other, "shared-id", n)  # the same resource exists there, same parameters
        put(other, "a-only", 0)
        put(other, "x", 0, QUEUE)
        assert (
            error_code(
                other.get_resource_config_history,
                resourceType=AGENT,
                resourceId="shared-id",
                limit=1,
                nextToken=tokens["history"],
            )
            == "InvalidNextTokenException"
        )
        assert (
            error_code(
                other.list_discovered_resources,
                resourceType=AGENT,
                limit=1,
                nextToken=tokens["list"],
            )
            == "InvalidNextTokenException"
        )
        assert (
            error_code(other.get_discovered_resource_counts, limit=1, nextToken=tokens["counts"])
            == "InvalidNextTokenException"
        )


def test_rows_are_written_under_the_callers_account_only(backend: LiveServer, account: str) -> None:
    client = config_client(backend, account)
    bystander = new_account()
    before = row_counts(backend.db_url, bystander)
    start_custom_recording(client)
    put(client, "r", 0)
    assert row_counts(backend.db_url, account)["configuration_items"] == 1
    assert row_counts(backend.db_url, bystander) == before
