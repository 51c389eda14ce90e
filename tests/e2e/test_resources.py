"""Custom resources and the inventory, end to end on both stores (spec 2.3, 2.4, 3).

PutResourceConfig / DeleteResourceConfig record items; ListDiscoveredResources,
BatchGetResourceConfig and GetDiscoveredResourceCounts read the inventory they leave.
Every refusal is checked twice: AWS's error, and ``row_counts`` showing nothing written.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.conftest import ROLE_ARN, LiveServer, config_client, start_custom_recording
from tests.helpers import raw_call, row_counts

AGENT = "MyCompany::Build::Agent"
QUEUE = "MyCompany::Build::Queue"
RUNNER = "MyCompany::Build::Runner"


def put(
    client: Any,
    resource_id: str,
    configuration: object,
    *,
    resource_type: str = AGENT,
    name: str | None = None,
    tags: dict[str, str] | None = None,
) -> None:
    kwargs: dict[str, Any] = {
        "ResourceType": resource_type,
        "SchemaVersionId": "00000001",
        "ResourceId": resource_id,
        "Configuration": (
            configuration if isinstance(configuration, str) else json.dumps(configuration)
        ),
    }
    if name is not None:
        kwargs["ResourceName"] = name
    if tags is not None:
        kwargs["Tags"] = tags
    client.put_resource_config(**kwargs)


def history(client: Any, resource_id: str, resource_type: str = AGENT, **kwargs: Any) -> list[Any]:
    items: list[Any] = client.get_resource_config_history(
        resourceType=resource_type, resourceId=resource_id, **kwargs
    )["configurationItems"]
    return items


def aws_error(call: Callable[..., Any], **kwargs: Any) -> tuple[str, str]:
    """The (code, message) of the AWS error ``call`` must answer with HTTP 400."""
    with pytest.raises(ClientError) as info:
        call(**kwargs)
    assert info.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    error = info.value.response["Error"]
    return error["Code"], error["Message"]


def listed(client: Any, resource_type: str = AGENT, **kwargs: Any) -> list[Any]:
    found: list[Any] = client.list_discovered_resources(resourceType=resource_type, **kwargs)[
        "resourceIdentifiers"
    ]
    return found


def epoch_ms(moment: Any) -> int:
    return round(moment.timestamp() * 1000)


# -- PutResourceConfig ---------------------------------------------------------------------


def test_put_without_a_recorder_is_refused_and_writes_nothing(
    backend: LiveServer, account: str
) -> None:
    client = config_client(backend, account)
    before = row_counts(backend.db_url, account)
    code, message = aws_error(
        client.put_resource_config,
        ResourceType=AGENT,
        SchemaVersionId="1",
        ResourceId="agent-1",
        Configuration="{}",
    )
    assert code == "NoRunningConfigurationRecorderException"
    assert message
    assert row_counts(backend.db_url, account) == before
    assert sum(before.values()) == 0


def test_put_with_a_stopped_recorder_is_refused_and_writes_nothing(
    backend: LiveServer, account: str
) -> None:
    client = config_client(backend, account)
    start_custom_recording(client)
    client.stop_configuration_recorder(ConfigurationRecorderName="default")
    before = row_counts(backend.db_url, account)
    for call, kwargs in (
        (
            client.put_resource_config,
            {
                "ResourceType": AGENT,
                "SchemaVersionId": "1",
                "ResourceId": "a",
                "Configuration": "{}",
            },
        ),
        (client.delete_resource_config, {"ResourceType": AGENT, "ResourceId": "a"}),
    ):
        code, _ = aws_error(call, **kwargs)
        assert code == "NoRunningConfigurationRecorderException"
    assert row_counts(backend.db_url, account) == before


def test_a_recorder_that_was_never_started_is_not_running(backend: LiveServer) -> None:
    client = config_client(backend)
    client.put_configuration_recorder(
        ConfigurationRecorder={"name": "default", "roleARN": ROLE_ARN}
    )
    code, _ = aws_error(
        client.put_resource_config,
        ResourceType=AGENT,
        SchemaVersionId="1",
        ResourceId="a",
        Configuration="{}",
    )
    assert code == "NoRunningConfigurationRecorderException"


def test_first_put_is_discovered_and_changes_are_ok(config: Any, account: str) -> None:
    start_custom_recording(config)
    first = '{"Name":"agent one","Slots":4,"Labels":["linux","x86"],"Spare":null}'
    put(config, "agent-1", first, name="agent one", tags={"team": "ci", "env": "prod"})
    [item] = history(config, "agent-1")
    assert item["configurationItemStatus"] == "ResourceDiscovered"
    assert item["version"] == "1.3"
    assert item["configurationItemMD5Hash"] == ""
    assert item["accountId"] == account
    assert item["awsRegion"] == "us-east-1"
    assert item["resourceType"] == AGENT
    assert item["resourceId"] == "agent-1"
    assert item["resourceName"] == "agent one"
    assert item["tags"] == {"team": "ci", "env": "prod"}
    assert item["configuration"] == first  # the text round-trips as sent
    assert item["relatedEvents"] == []
    assert item["relationships"] == []
    assert item["supplementaryConfiguration"] == {}
    assert item["configurationStateId"] == str(epoch_ms(item["configurationItemCaptureTime"]))

    put(config, "agent-1", {"Name": "agent one", "Slots": 8}, name="agent one", tags={"team": "ci"})
    put(config, "agent-1", {"Name": "agent one", "Slots": 16}, name="renamed")
    items = history(config, "agent-1")
    assert [i["configurationItemStatus"] for i in items] == ["OK", "OK", "ResourceDiscovered"]
    assert [json.loads(i["configuration"])["Slots"] for i in items] == [16, 8, 4]
    assert [i.get("resourceName") for i in items] == ["renamed", "agent one", "agent one"]
    assert [i["tags"] for i in items] == [{}, {"team": "ci"}, {"team": "ci", "env": "prod"}]


def test_an_unchanged_put_records_nothing(config: Any, backend: LiveServer, account: str) -> None:
    start_custom_recording(config)
    put(
        config,
        "agent-1",
        '{"a": 1, "b": {"x": [1, 2], "y": "z"}}',
        name="one",
        tags={"k": "v", "l": "w"},
    )
    before = row_counts(backend.db_url, account)
    # Same JSON value: other key order, other whitespace; same name and tags.
    put(
        config,
        "agent-1",
        '{\n  "b": {"y": "z", "x": [1,2]},\n  "a": 1\n}',
        name="one",
        tags={"l": "w", "k": "v"},
    )
    assert row_counts(backend.db_url, account) == before
    assert len(history(config, "agent-1")) == 1


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"configuration": '{"a": 2, "b": {"x": [1, 2], "y": "z"}}'}, "configuration"),
        ({"configuration": '{"a": 1, "b": {"x": [2, 1], "y": "z"}}'}, "list order"),
        ({"configuration": '{"a": true, "b": {"x": [1, 2], "y": "z"}}'}, "1 became true"),
        ({"configuration": '{"a": 1.5, "b": {"x": [1, 2], "y": "z"}}'}, "1 became 1.5"),
        ({"configuration": '{"a": "1", "b": {"x": [1, 2], "y": "z"}}'}, "1 became '1'"),
        ({"name": "two"}, "name"),
        ({"name": None}, "name dropped"),
        ({"tags": {"k": "v"}}, "tag removed"),
        ({"tags": {"k": "v", "l": "other"}}, "tag value"),
    ],
    ids=lambda v: v if isinstance(v, str) else None,
)
def test_every_visible_change_records_an_item(
    config: Any, change: dict[str, Any], expected: str
) -> None:
    start_custom_recording(config)
    base: dict[str, Any] = {
        "configuration": '{"a": 1, "b": {"x": [1, 2], "y": "z"}}',
        "name": "one",
        "tags": {"k": "v", "l": "w"},
    }
    put(config, "agent-1", base["configuration"], name=base["name"], tags=base["tags"])
    after = {**base, **change}
    put(config, "agent-1", after["configuration"], name=after["name"], tags=after["tags"])
    items = history(config, "agent-1")
    assert [i["configurationItemStatus"] for i in items] == ["OK", "ResourceDiscovered"], expected
    assert items[0]["configuration"] == after["configuration"]


def test_state_ids_are_capture_ms_and_strictly_increasing(config: Any) -> None:
    start_custom_recording(config)
    started_ms = time.time_ns() // 1_000_000
    for n in range(8):  # as fast as the wire allows: several may share a millisecond
        put(config, "agent-1", {"n": n})
    finished_ms = time.time_ns() // 1_000_000
    items = history(config, "agent-1", chronologicalOrder="Forward")
    assert [json.loads(i["configuration"])["n"] for i in items] == list(range(8))
    state_ids = [int(i["configurationStateId"]) for i in items]
    assert state_ids == sorted(set(state_ids))  # strictly increasing
    for item in items:
        assert item["configurationStateId"] == str(epoch_ms(item["configurationItemCaptureTime"]))
    assert started_ms - 1000 <= state_ids[0] and state_ids[-1] <= finished_ms + 1000


def test_concurrent_puts_get_distinct_increasing_state_ids(
    backend: LiveServer, account: str
) -> None:
    start_custom_recording(config_client(backend, account))
    clients = [config_client(backend, account) for _ in range(8)]

    def put_many(index: int) -> None:
        for n in range(5):
            put(clients[index], "agent-1", {"writer": index, "n": n})

    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(put_many, range(8)))
    items = history(clients[0], "agent-1", limit=100, chronologicalOrder="Forward")
    assert len(items) == 40
    state_ids = [int(i["configurationStateId"]) for i in items]
    assert state_ids == sorted(set(state_ids))
    assert [i["configurationItemStatus"] for i in items] == ["ResourceDiscovered"] + ["OK"] * 39
    seen = sorted((c["writer"], c["n"]) for c in (json.loads(i["configuration"]) for i in items))
    assert seen == [(w, n) for w in range(8) for n in range(5)]
    assert clients[0].get_discovered_resource_counts()["totalDiscoveredResources"] == 1


def test_capture_time_on_the_wire_is_epoch_seconds_with_millis(
    backend: LiveServer, account: str
) -> None:
    client = config_client(backend, account)
    start_custom_recording(client)
    put(client, "agent-1", {"n": 1})
    status, body, _ = raw_call(
        backend.url,
        "GetResourceConfigHistory",
        json.dumps({"resourceType": AGENT, "resourceId": "agent-1"}),
        access_key=account,
    )
    assert status == 200
    [item] = body["configurationItems"]
    capture = item["configurationItemCaptureTime"]
    assert isinstance(capture, int | float)
    assert item["configurationStateId"] == str(round(capture * 1000))
    assert isinstance(item["configurationStateId"], str)
    # Absent members are omitted on the wire, not sent as null.
    assert None not in item.values()
    assert "resourceName" not in item and "arn" not in item


@pytest.mark.parametrize(
    "resource_type",
    [
        "AWS::EC2::Instance",
        "aws::Build::Agent",
        "amzn::Build::Agent",
        "AMZN::Build::Agent",
        "amazon::Build::Agent",
        "Amazon::Build::Agent",
        "alexa::Skills::Skill",
        "custom::Build::Agent",
        "Custom::Build::Agent",
        "MyCompany::Agent",
        "MyCompany",
        "MyCompany::Build::Agent::Extra",
        "My-Company::Build::Agent",
        "MyCompany::Build::",
        "::Build::Agent",
        "MyCompany:Build:Agent",
        "MyCompany::Build::Age nt",
    ],
)
def test_invalid_resource_type_names_are_refused(
    backend: LiveServer, account: str, resource_type: str
) -> None:
    client = config_client(backend, account, validate=False)
    start_custom_recording(client)
    before = row_counts(backend.db_url, account)
    for call, kwargs in (
        (
            client.put_resource_config,
            {
                "ResourceType": resource_type,
                "SchemaVersionId": "1",
                "ResourceId": "a",
                "Configuration": "{}",
            },
        ),
        (client.delete_resource_config, {"ResourceType": resource_type, "ResourceId": "a"}),
    ):
        code, message = aws_error(call, **kwargs)
        assert code == "ValidationException"
        assert message
    assert row_counts(backend.db_url, account) == before


def test_a_valid_custom_type_name_is_accepted(config: Any) -> None:
    start_custom_recording(config)
    for resource_type in ("Acme::Build::Agent", "A1::B2::C3", "AmazoniaCorp::Build::Agent"):
        put(config, "x", {"ok": True}, resource_type=resource_type)
        assert len(history(config, "x", resource_type=resource_type)) == 1


@pytest.mark.parametrize(
    "configuration",
    ["not json", "{", '{"a": 1,}', "", "   ", "{'a': 1}", "NaN", '{"a": NaN}', "[]", "3", "null"],
    ids=[
        "text",
        "unclosed",
        "trailing-comma",
        "empty",
        "blank",
        "single-quotes",
        "nan",
        "nan-in",
        "array",
        "number",
        "null",
    ],
)
def test_configuration_that_is_not_json_is_refused(
    backend: LiveServer, account: str, configuration: str
) -> None:
    client = config_client(backend, account, validate=False)
    start_custom_recording(client)
    before = row_counts(backend.db_url, account)
    code, _ = aws_error(
        client.put_resource_config,
        ResourceType=AGENT,
        SchemaVersionId="1",
        ResourceId="a",
        Configuration=configuration,
    )
    assert code == "ValidationException"
    assert row_counts(backend.db_url, account) == before


def _configuration_of_size(size: int) -> str:
    text = json.dumps({"pad": ""})
    return json.dumps({"pad": "x" * (size - len(text))})


def test_configuration_up_to_64_kb_is_accepted_and_over_it_refused(
    backend: LiveServer, account: str
) -> None:
    client = config_client(backend, account, validate=False)
    start_custom_recording(client)
    largest = _configuration_of_size(64 * 1024)
    assert len(largest.encode()) == 65536
    put(client, "big", largest)
    assert history(client, "big")[0]["configuration"] == largest
    before = row_counts(backend.db_url, account)
    for size in (64 * 1024 + 1, 200 * 1024):
        code, message = aws_error(
            client.put_resource_config,
            ResourceType=AGENT,
            SchemaVersionId="1",
            ResourceId="too-big",
            Configuration=_configuration_of_size(size),
        )
        assert code == "ValidationException"
        assert message
    # Multi-byte characters count in bytes: 30,000 "é" are 60,000 bytes, fine; 40,000 are not.
    put(client, "accents", json.dumps({"pad": "é" * 30_000}, ensure_ascii=False))
    after_accents = row_counts(backend.db_url, account)
    code, _ = aws_error(
        client.put_resource_config,
        ResourceType=AGENT,
        SchemaVersionId="1",
        ResourceId="too-big",
        Configuration=json.dumps({"pad": "é" * 40_000}, ensure_ascii=False),
    )
    assert code == "ValidationException"
    assert row_counts(backend.db_url, account) == after_accents
    assert after_accents["configuration_items"] == before["configuration_items"] + 1


@pytest.mark.parametrize(
    ("schema_version", "constraint"),
    [
        ("1.0", "Member must satisfy regular expression pattern: [A-Za-z0-9-]+"),
        ("v 1", "Member must satisfy regular expression pattern: [A-Za-z0-9-]+"),
        ("v_1", "Member must satisfy regular expression pattern: [A-Za-z0-9-]+"),
        ("", "Member must have length greater than or equal to 1"),
        ("a" * 129, "Member must have length less than or equal to 128"),
    ],
)
def test_schema_version_id_must_fit_its_pattern(
    backend: LiveServer, account: str, schema_version: str, constraint: str
) -> None:
    client = config_client(backend, account, validate=False)
    start_custom_recording(client)
    before = row_counts(backend.db_url, account)
    code, message = aws_error(
        client.put_resource_config,
        ResourceType=AGENT,
        SchemaVersionId=schema_version,
        ResourceId="a",
        Configuration="{}",
    )
    assert code == "ValidationException"
    assert "'schemaVersionId'" in message
    assert constraint in message
    assert row_counts(backend.db_url, account) == before


def test_schema_version_ids_of_the_pattern_are_accepted(config: Any) -> None:
    start_custom_recording(config)
    for n, version in enumerate(("00000001", "v-2", "ABC-def-3")):
        config.put_resource_config(
            ResourceType=AGENT,
            SchemaVersionId=version,
            ResourceId="a",
            Configuration=json.dumps({"n": n}),
        )
    assert len(history(config, "a")) == 3


# -- DeleteResourceConfig ------------------------------------------------------------------


def test_delete_records_a_resource_deleted_item(config: Any) -> None:
    start_custom_recording(config)
    put(config, "agent-1", {"n": 1}, name="one", tags={"k": "v"})
    put(config, "agent-2", {"n": 2})
    config.delete_resource_config(ResourceType=AGENT, ResourceId="agent-1")

    items = history(config, "agent-1")
    assert [i["configurationItemStatus"] for i in items] == [
        "ResourceDeleted",
        "ResourceDiscovered",
    ]
    deleted = items[0]
    assert "configuration" not in deleted
    assert deleted["version"] == "1.3"
    assert deleted["resourceId"] == "agent-1"
    assert int(deleted["configurationStateId"]) > int(items[1]["configurationStateId"])
    assert deleted["configurationStateId"] == str(epoch_ms(deleted["configurationItemCaptureTime"]))

    # Listed only when deleted resources are asked for, then with its deletion time.
    assert [r["resourceId"] for r in listed(config)] == ["agent-2"]
    with_deleted = listed(config, includeDeletedResources=True)
    assert [r["resourceId"] for r in with_deleted] == ["agent-1", "agent-2"]
    assert with_deleted[0]["resourceDeletionTime"] == deleted["configurationItemCaptureTime"]
    assert "resourceDeletionTime" not in with_deleted[1]
    assert listed(config, includeDeletedResources=False) == listed(config)

    # Not returned by BatchGetResourceConfig, not counted.
    batch = config.batch_get_resource_config(
        resourceKeys=[
            {"resourceType": AGENT, "resourceId": "agent-1"},
            {"resourceType": AGENT, "resourceId": "agent-2"},
        ]
    )
    assert [i["resourceId"] for i in batch["baseConfigurationItems"]] == ["agent-2"]
    counts = config.get_discovered_resource_counts()
    assert counts["totalDiscoveredResources"] == 1
    assert counts["resourceCounts"] == [{"resourceType": AGENT, "count": 1}]

    # Recorded again: a new discovery, current again everywhere.
    put(config, "agent-1", {"n": 3})
    items = history(config, "agent-1")
    assert [i["configurationItemStatus"] for i in items] == [
        "ResourceDiscovered",
        "ResourceDeleted",
        "ResourceDiscovered",
    ]
    assert [r["resourceId"] for r in listed(config)] == ["agent-1", "agent-2"]
    assert all(
        "resourceDeletionTime" not in r for r in listed(config, includeDeletedResources=True)
    )
    assert config.get_discovered_resource_counts()["totalDiscoveredResources"] == 2
    batch = config.batch_get_resource_config(
        resourceKeys=[{"resourceType": AGENT, "resourceId": "agent-1"}]
    )
    assert json.loads(batch["baseConfigurationItems"][0]["configuration"]) == {"n": 3}


def test_deleting_an_unknown_or_deleted_resource_is_refused(
    backend: LiveServer, account: str
) -> None:
    client = config_client(backend, account)
    start_custom_recording(client)
    put(client, "agent-1", {"n": 1})
    before = row_counts(backend.db_url, account)
    for resource_type, resource_id in ((AGENT, "nope"), (QUEUE, "agent-1")):
        code, message = aws_error(
            client.delete_resource_config, ResourceType=resource_type, ResourceId=resource_id
        )
        assert code == "ValidationException"
        assert resource_id in message
    assert row_counts(backend.db_url, account) == before
    client.delete_resource_config(ResourceType=AGENT, ResourceId="agent-1")
    after_delete = row_counts(backend.db_url, account)
    code, _ = aws_error(client.delete_resource_config, ResourceType=AGENT, ResourceId="agent-1")
    assert code == "ValidationException"
    assert row_counts(backend.db_url, account) == after_delete
    assert len(history(client, "agent-1")) == 2


# -- ListDiscoveredResources ---------------------------------------------------------------


def test_list_filters_by_ids_or_by_name(config: Any) -> None:
    start_custom_recording(config)
    for n in range(1, 6):
        put(config, f"r-{n}", {"n": n}, name="even" if n % 2 == 0 else f"odd-{n}")
    put(config, "r-1", {"n": 1}, resource_type=QUEUE, name="even")

    assert [r["resourceId"] for r in listed(config)] == [f"r-{n}" for n in range(1, 6)]
    assert listed(config)[0] == {
        "resourceType": AGENT,
        "resourceId": "r-1",
        "resourceName": "odd-1",
    }
    by_ids = listed(config, resourceIds=["r-4", "r-2", "unknown"])
    assert [r["resourceId"] for r in by_ids] == ["r-2", "r-4"]
    by_name = listed(config, resourceName="even")
    assert [(r["resourceType"], r["resourceId"]) for r in by_name] == [
        (AGENT, "r-2"),
        (AGENT, "r-4"),
    ]
    assert listed(config, resourceName="odd-3")[0]["resourceId"] == "r-3"
    assert listed(config, resourceName="nobody") == []
    assert listed(config, resourceIds=["unknown"]) == []
    assert [r["resourceId"] for r in listed(config, QUEUE)] == ["r-1"]
    assert listed(config, RUNNER) == []
    # A name change moves the resource between name filters.
    put(config, "r-3", {"n": 3}, name="even")
    assert [r["resourceId"] for r in listed(config, resourceName="even")] == ["r-2", "r-3", "r-4"]
    assert listed(config, resourceName="odd-3") == []


def test_list_refuses_ids_and_name_together(backend: LiveServer, account: str) -> None:
    client = config_client(backend, account)
    start_custom_recording(client)
    put(client, "r-1", {"n": 1}, name="one")
    code, message = aws_error(
        client.list_discovered_resources,
        resourceType=AGENT,
        resourceIds=["r-1"],
        resourceName="one",
    )
    assert code == "ValidationException"
    assert message == "Both Resource ID and Resource Name cannot be specified in the request"


def test_list_takes_at_most_20_ids(config: Any) -> None:
    start_custom_recording(config)
    for n in range(21):
        put(config, f"r-{n:02d}", {"n": n})
    twenty = [f"r-{n:02d}" for n in range(20)]
    assert [r["resourceId"] for r in listed(config, resourceIds=twenty)] == twenty
    code, message = aws_error(
        config.list_discovered_resources,
        resourceType=AGENT,
        resourceIds=[*twenty, "r-20"],
    )
    assert code == "ValidationException"
    assert "resourceIds" in message and "20" in message


def test_list_pages_with_limit(config: Any) -> None:
    start_custom_recording(config)
    ids = [f"r-{n:02d}" for n in range(25)]
    for n, resource_id in enumerate(reversed(ids)):
        put(config, resource_id, {"n": n})
    pages: list[list[str]] = []
    token: str | None = None
    while True:
        kwargs: dict[str, Any] = {"limit": 10}
        if token:
            kwargs["nextToken"] = token
        page = config.list_discovered_resources(resourceType=AGENT, **kwargs)
        pages.append([r["resourceId"] for r in page["resourceIdentifiers"]])
        token = page.get("nextToken")
        if not token:
            break
        assert len(pages) < 10
    assert [len(p) for p in pages] == [10, 10, 5]
    assert [i for p in pages for i in p] == ids
    # limit 0 is the default (100): everything on one page.
    page = config.list_discovered_resources(resourceType=AGENT, limit=0)
    assert len(page["resourceIdentifiers"]) == 25 and "nextToken" not in page
    # botocore's paginator drives the same tokens.
    paginator = config.get_paginator("list_discovered_resources")
    found = [
        r["resourceId"]
        for page in paginator.paginate(resourceType=AGENT, PaginationConfig={"PageSize": 7})
        for r in page["resourceIdentifiers"]
    ]
    assert found == ids


def test_list_pages_with_filters_and_deleted(config: Any) -> None:
    start_custom_recording(config)
    for n in range(12):
        put(config, f"r-{n:02d}", {"n": n}, name="same")
    for n in (1, 4, 7):
        config.delete_resource_config(ResourceType=AGENT, ResourceId=f"r-{n:02d}")

    def all_pages(**kwargs: Any) -> list[list[str]]:
        pages: list[list[str]] = []
        token = None
        while True:
            extra = {"nextToken": token} if token else {}
            page = config.list_discovered_resources(resourceType=AGENT, limit=4, **kwargs, **extra)
            pages.append([r["resourceId"] for r in page["resourceIdentifiers"]])
            token = page.get("nextToken")
            if not token:
                return pages

    live = [f"r-{n:02d}" for n in range(12) if n not in (1, 4, 7)]
    assert [len(p) for p in all_pages()] == [4, 4, 1]
    assert [i for p in all_pages() for i in p] == live
    assert [i for p in all_pages(resourceName="same") for i in p] == live
    with_deleted = all_pages(includeDeletedResources=True)
    assert [len(p) for p in with_deleted] == [4, 4, 4]
    assert [i for p in with_deleted for i in p] == [f"r-{n:02d}" for n in range(12)]
    ids = [f"r-{n:02d}" for n in (0, 1, 2, 3, 4, 5)]
    assert [i for p in all_pages(resourceIds=ids) for i in p] == ["r-00", "r-02", "r-03", "r-05"]


def test_a_list_token_only_serves_the_request_it_came_from(config: Any) -> None:
    start_custom_recording(config)
    for n in range(5):
        put(config, f"r-{n}", {"n": n}, name="same")
    token = config.list_discovered_resources(resourceType=AGENT, limit=2)["nextToken"]
    assert [
        r["resourceId"]
        for r in config.list_discovered_resources(resourceType=AGENT, limit=2, nextToken=token)[
            "resourceIdentifiers"
        ]
    ] == ["r-2", "r-3"]
    for other in (
        {"resourceType": QUEUE},
        {"resourceType": AGENT, "resourceName": "same"},
        {"resourceType": AGENT, "includeDeletedResources": True},
        {"resourceType": AGENT, "resourceIds": ["r-3"]},
    ):
        code, message = aws_error(
            config.list_discovered_resources, limit=2, nextToken=token, **other
        )
        assert code == "InvalidNextTokenException"
        assert message == "The nextToken provided is invalid"
    for forged in ("abc", token[:-2], token[:-1] + ("A" if token[-1] != "A" else "B"), "é"):
        code, _ = aws_error(config.list_discovered_resources, resourceType=AGENT, nextToken=forged)
        assert code == "InvalidNextTokenException"


# -- BatchGetResourceConfig ----------------------------------------------------------------


def test_batch_get_returns_current_base_items_only(
    config: Any, backend: LiveServer, account: str
) -> None:
    start_custom_recording(config)
    put(config, "agent-1", {"n": 1}, name="one", tags={"secret": "tag"})
    put(config, "agent-1", {"n": 2}, name="one", tags={"secret": "tag"})
    put(config, "queue-1", '{"depth": 3}', resource_type=QUEUE)
    put(config, "gone", {"n": 0})
    config.delete_resource_config(ResourceType=AGENT, ResourceId="gone")
    keys = [
        {"resourceType": QUEUE, "resourceId": "queue-1"},
        {"resourceType": AGENT, "resourceId": "unknown"},
        {"resourceType": AGENT, "resourceId": "gone"},
        {"resourceType": RUNNER, "resourceId": "agent-1"},
        {"resourceType": AGENT, "resourceId": "agent-1"},
    ]
    result = config.batch_get_resource_config(resourceKeys=keys)
    assert result["unprocessedResourceKeys"] == []
    items = {(i["resourceType"], i["resourceId"]): i for i in result["baseConfigurationItems"]}
    assert set(items) == {(QUEUE, "queue-1"), (AGENT, "agent-1")}
    agent = items[(AGENT, "agent-1")]
    assert json.loads(agent["configuration"]) == {"n": 2}
    assert agent["configurationItemStatus"] == "OK"
    assert agent["resourceName"] == "one"
    assert agent["version"] == "1.3"
    assert agent["accountId"] == account
    assert agent["awsRegion"] == "us-east-1"
    assert agent["supplementaryConfiguration"] == {}
    current = history(config, "agent-1", limit=1)[0]
    assert agent["configurationStateId"] == current["configurationStateId"]
    assert agent["configurationItemCaptureTime"] == current["configurationItemCaptureTime"]
    assert items[(QUEUE, "queue-1")]["configuration"] == '{"depth": 3}'
    assert items[(QUEUE, "queue-1")]["configurationItemStatus"] == "ResourceDiscovered"

    # On the wire: a BaseConfigurationItem has no tags, relationships, related events, hash.
    status, body, _ = raw_call(
        backend.url,
        "BatchGetResourceConfig",
        json.dumps({"resourceKeys": keys}),
        access_key=account,
    )
    assert status == 200
    for item in body["baseConfigurationItems"]:
        for absent in ("tags", "relationships", "relatedEvents", "configurationItemMD5Hash"):
            assert absent not in item
        assert "secret" not in json.dumps(item)


def test_batch_get_takes_up_to_100_keys(backend: LiveServer, account: str) -> None:
    client = config_client(backend, account, validate=False)
    start_custom_recording(client)
    for n in range(0, 100, 9):
        put(client, f"r-{n:03d}", {"n": n})
    keys = [{"resourceType": AGENT, "resourceId": f"r-{n:03d}"} for n in range(100)]
    items = client.batch_get_resource_config(resourceKeys=keys)["baseConfigurationItems"]
    assert sorted(i["resourceId"] for i in items) == [f"r-{n:03d}" for n in range(0, 100, 9)]
    code, message = aws_error(
        client.batch_get_resource_config,
        resourceKeys=[*keys, {"resourceType": AGENT, "resourceId": "r-100"}],
    )
    assert code == "ValidationException"
    assert "Member must have length less than or equal to 100" in message
    code, _ = aws_error(client.batch_get_resource_config, resourceKeys=[])
    assert code == "ValidationException"


def test_batch_get_accepts_aws_types_that_were_never_recorded(config: Any) -> None:
    start_custom_recording(config)
    result = config.batch_get_resource_config(
        resourceKeys=[{"resourceType": "AWS::EC2::Instance", "resourceId": "i-0123456789"}]
    )
    assert result["baseConfigurationItems"] == []
    assert result["unprocessedResourceKeys"] == []


# -- GetDiscoveredResourceCounts -----------------------------------------------------------


def test_counts_per_type(config: Any) -> None:
    start_custom_recording(config)
    assert config.get_discovered_resource_counts()["totalDiscoveredResources"] == 0
    for n in range(3):
        put(config, f"a-{n}", {"n": n})
    put(config, "a-0", {"n": 10})  # a change is not a new resource
    for n in range(2):
        put(config, f"q-{n}", {"n": n}, resource_type=QUEUE)
    for n in range(2):
        put(config, f"r-{n}", {"n": n}, resource_type=RUNNER)
    config.delete_resource_config(ResourceType=RUNNER, ResourceId="r-1")

    counts = config.get_discovered_resource_counts()
    assert counts["totalDiscoveredResources"] == 6
    assert counts["resourceCounts"] == [
        {"resourceType": AGENT, "count": 3},
        {"resourceType": QUEUE, "count": 2},
        {"resourceType": RUNNER, "count": 1},
    ]
    assert "nextToken" not in counts

    filtered = config.get_discovered_resource_counts(resourceTypes=[RUNNER, AGENT])
    assert filtered["totalDiscoveredResources"] == 4
    assert filtered["resourceCounts"] == [
        {"resourceType": AGENT, "count": 3},
        {"resourceType": RUNNER, "count": 1},
    ]
    only = config.get_discovered_resource_counts(resourceTypes=[QUEUE])
    assert only["totalDiscoveredResources"] == 2
    assert only["resourceCounts"] == [{"resourceType": QUEUE, "count": 2}]


def test_counts_page_with_limit(config: Any) -> None:
    start_custom_recording(config)
    types = [f"MyCompany::Build::Kind{n}" for n in range(5)]
    for n, resource_type in enumerate(types):
        for m in range(5 - n):
            put(config, f"r-{m}", {"m": m}, resource_type=resource_type)
    pages: list[list[dict[str, Any]]] = []
    token = None
    while True:
        extra = {"nextToken": token} if token else {}
        # Named types: the start-up sweep may list the sandbox's own resources too.
        page = config.get_discovered_resource_counts(limit=2, resourceTypes=types, **extra)
        assert page["totalDiscoveredResources"] == 15
        pages.append(page["resourceCounts"])
        token = page.get("nextToken")
        if not token:
            break
        assert len(pages) < 10
    assert [len(p) for p in pages] == [2, 2, 1]
    assert [c for p in pages for c in p] == [
        {"resourceType": t, "count": 5 - n} for n, t in enumerate(types)
    ]
    # limit 0 is the default (100).
    counts = config.get_discovered_resource_counts(limit=0, resourceTypes=types)
    assert len(counts["resourceCounts"]) == 5
    # A token is tied to the filter it was issued for, and cannot be forged.
    token = config.get_discovered_resource_counts(limit=2, resourceTypes=types)["nextToken"]
    code, _ = aws_error(
        config.get_discovered_resource_counts, limit=2, nextToken=token, resourceTypes=types[:3]
    )
    assert code == "InvalidNextTokenException"
    code, _ = aws_error(config.get_discovered_resource_counts, nextToken="bm90IGEgdG9rZW4")
    assert code == "InvalidNextTokenException"


# -- bad input, operation by operation -----------------------------------------------------

LONG_ID = "x" * 769
BAD_INPUT: list[tuple[str, str, object, str, str]] = [
    # (case id, operation, body, __type, text the message must contain)
    ("put-missing-config", "PutResourceConfig",
     {"ResourceType": AGENT, "SchemaVersionId": "1", "ResourceId": "a"},
     "ValidationException", "Value null at 'configuration' failed to satisfy constraint: "
     "Member must not be null"),
    ("put-missing-all", "PutResourceConfig", {}, "ValidationException", "4 validation errors"),
    ("put-id-number", "PutResourceConfig",
     {"ResourceType": AGENT, "SchemaVersionId": "1", "ResourceId": 5, "Configuration": "{}"},
     "SerializationException", "NUMBER_VALUE can not be converted to a String"),
    ("put-config-object", "PutResourceConfig",
     {"ResourceType": AGENT, "SchemaVersionId": "1", "ResourceId": "a", "Configuration": {"a": 1}},
     "SerializationException", "Start of structure or map found where not expected."),
    ("put-tags-list", "PutResourceConfig",
     {"ResourceType": AGENT, "SchemaVersionId": "1", "ResourceId": "a", "Configuration": "{}",
      "Tags": ["a"]},
     "SerializationException", "Start of list found where not expected"),
    ("put-id-too-long", "PutResourceConfig",
     {"ResourceType": AGENT, "SchemaVersionId": "1", "ResourceId": LONG_ID, "Configuration": "{}"},
     "ValidationException", "at 'resourceId' failed to satisfy constraint: "
     "Member must have length less than or equal to 768"),
    ("put-type-too-long", "PutResourceConfig",
     {"ResourceType": "A" * 197, "SchemaVersionId": "1", "ResourceId": "a", "Configuration": "{}"},
     "ValidationException", "Member must have length less than or equal to 196"),
    ("put-empty-id", "PutResourceConfig",
     {"ResourceType": AGENT, "SchemaVersionId": "1", "ResourceId": "", "Configuration": "{}"},
     "ValidationException", "Member must have length greater than or equal to 1"),
    ("put-tag-value-number", "PutResourceConfig",
     {"ResourceType": AGENT, "SchemaVersionId": "1", "ResourceId": "a", "Configuration": "{}",
      "Tags": {"k": 1}},
     "SerializationException", "NUMBER_VALUE can not be converted to a String"),
    ("put-name-bool", "PutResourceConfig",
     {"ResourceType": AGENT, "SchemaVersionId": "1", "ResourceId": "a", "Configuration": "{}",
      "ResourceName": False},
     "SerializationException", "FALSE_VALUE can not be converted to a String"),
    ("delete-missing-id", "DeleteResourceConfig", {"ResourceType": AGENT},
     "ValidationException", "Value null at 'resourceId'"),
    ("delete-type-list", "DeleteResourceConfig", {"ResourceType": [AGENT], "ResourceId": "a"},
     "SerializationException", "Start of list found where not expected"),
    ("delete-id-too-long", "DeleteResourceConfig", {"ResourceType": AGENT, "ResourceId": LONG_ID},
     "ValidationException", "Member must have length less than or equal to 768"),
    ("history-missing-id", "GetResourceConfigHistory", {"resourceType": AGENT},
     "ValidationException", "Value null at 'resourceId'"),
    ("history-limit-string", "GetResourceConfigHistory",
     {"resourceType": AGENT, "resourceId": "a", "limit": "10"},
     "SerializationException", "STRING_VALUE can not be converted to an Integer"),
    ("history-time-bool", "GetResourceConfigHistory",
     {"resourceType": AGENT, "resourceId": "a", "laterTime": True},
     "SerializationException", "TRUE_VALUE can not be converted to milliseconds since epoch"),
    ("history-id-too-long", "GetResourceConfigHistory",
     {"resourceType": AGENT, "resourceId": LONG_ID},
     "ValidationException", "Member must have length less than or equal to 768"),
    ("history-order-enum", "GetResourceConfigHistory",
     {"resourceType": AGENT, "resourceId": "a", "chronologicalOrder": "Sideways"},
     "ValidationException", "Value 'Sideways' at 'chronologicalOrder' failed to satisfy "
     "constraint: Member must satisfy enum value set: [Reverse, Forward]"),
    ("history-order-lowercase", "GetResourceConfigHistory",
     {"resourceType": AGENT, "resourceId": "a", "chronologicalOrder": "forward"},
     "ValidationException", "enum value set"),
    ("history-limit-over", "GetResourceConfigHistory",
     {"resourceType": AGENT, "resourceId": "a", "limit": 101},
     "ValidationException", "Value '101' at 'limit' failed to satisfy constraint: "
     "Member must have value less than or equal to 100"),
    ("history-limit-negative", "GetResourceConfigHistory",
     {"resourceType": AGENT, "resourceId": "a", "limit": -1},
     "ValidationException", "Member must have value greater than or equal to 0"),
    ("history-type-enum", "GetResourceConfigHistory",
     {"resourceType": "NotAResourceType", "resourceId": "a"},
     "ValidationException", "at 'resourceType' failed to satisfy constraint"),
    ("list-missing-type", "ListDiscoveredResources", {},
     "ValidationException", "Value null at 'resourceType'"),
    ("list-deleted-string", "ListDiscoveredResources",
     {"resourceType": AGENT, "includeDeletedResources": "yes"},
     "SerializationException", "STRING_VALUE can not be converted to a Boolean"),
    ("list-ids-string", "ListDiscoveredResources", {"resourceType": AGENT, "resourceIds": "a"},
     "SerializationException", "Expected list or null"),
    ("list-id-too-long", "ListDiscoveredResources",
     {"resourceType": AGENT, "resourceIds": [LONG_ID]},
     "ValidationException", "Member must have length less than or equal to 768"),
    ("list-limit-over", "ListDiscoveredResources", {"resourceType": AGENT, "limit": 101},
     "ValidationException", "Member must have value less than or equal to 100"),
    ("batch-missing-keys", "BatchGetResourceConfig", {},
     "ValidationException", "Value null at 'resourceKeys'"),
    ("batch-key-missing-id", "BatchGetResourceConfig",
     {"resourceKeys": [{"resourceType": AGENT}]},
     "ValidationException", "Value null at 'resourceKeys.1.member.resourceId'"),
    ("batch-keys-object", "BatchGetResourceConfig",
     {"resourceKeys": {"resourceType": AGENT, "resourceId": "a"}},
     "SerializationException", "Start of structure or map found where not expected."),
    ("batch-id-too-long", "BatchGetResourceConfig",
     {"resourceKeys": [{"resourceType": AGENT, "resourceId": LONG_ID}]},
     "ValidationException", "Member must have length less than or equal to 768"),
    ("counts-limit-string", "GetDiscoveredResourceCounts", {"limit": "2"},
     "SerializationException", "STRING_VALUE can not be converted to an Integer"),
    ("counts-too-many-types", "GetDiscoveredResourceCounts",
     {"resourceTypes": [f"My::Type::T{n}" for n in range(21)]},
     "ValidationException", "Member must have length less than or equal to 20"),
    ("counts-type-too-long", "GetDiscoveredResourceCounts", {"resourceTypes": ["T" * 257]},
     "ValidationException", "Member must have length less than or equal to 256"),
    ("counts-limit-over", "GetDiscoveredResourceCounts", {"limit": 101},
     "ValidationException", "Member must have value less than or equal to 100"),
]  # fmt: skip

OPERATIONS = [
    "PutResourceConfig",
    "DeleteResourceConfig",
    "GetResourceConfigHistory",
    "ListDiscoveredResources",
    "BatchGetResourceConfig",
    "GetDiscoveredResourceCounts",
]


@pytest.fixture
def recording_account(backend: LiveServer, account: str) -> str:
    """An account whose recorder runs and which has one resource: a write would show."""
    client = config_client(backend, account)
    start_custom_recording(client)
    put(client, "a", {"n": 1})
    return account


@pytest.mark.parametrize(
    ("operation", "body", "error_type", "text"),
    [case[1:] for case in BAD_INPUT],
    ids=[case[0] for case in BAD_INPUT],
)
def test_bad_input_is_refused_and_writes_nothing(
    backend: LiveServer,
    recording_account: str,
    operation: str,
    body: object,
    error_type: str,
    text: str,
) -> None:
    before = row_counts(backend.db_url, recording_account)
    status, answer, _ = raw_call(
        backend.url, operation, json.dumps(body), access_key=recording_account
    )
    assert status == 400
    assert answer["__type"] == error_type
    assert text in answer["message"]
    assert row_counts(backend.db_url, recording_account) == before


@pytest.mark.parametrize("operation", OPERATIONS)
@pytest.mark.parametrize(
    "payload",
    [b'{"resourceType": ', b"{'ResourceType': 'x'}", b'{"a": 1,}', b"nope", b"\xff\xfe{}"],
    ids=["truncated", "single-quotes", "trailing-comma", "text", "not-utf8"],
)
def test_malformed_json_is_refused_and_writes_nothing(
    backend: LiveServer, recording_account: str, operation: str, payload: bytes
) -> None:
    before = row_counts(backend.db_url, recording_account)
    status, answer, _ = raw_call(backend.url, operation, payload, access_key=recording_account)
    assert status == 400
    assert answer["__type"] == "SerializationException"
    assert answer["message"]
    assert row_counts(backend.db_url, recording_account) == before


# -- identifiers no text column can hold -----------------------------------------------------


def test_strings_with_a_nul_character_are_refused(backend: LiveServer, account: str) -> None:
    client = config_client(backend, account, validate=False)
    start_custom_recording(client)
    put(client, "a", {"n": 1}, name="one")
    before = row_counts(backend.db_url, account)
    for kwargs in ({"ResourceId": "a\x00b"}, {"ResourceId": "a", "ResourceName": "o\x00ne"}):
        code, message = aws_error(
            client.put_resource_config,
            **{"ResourceType": AGENT, "SchemaVersionId": "1", "Configuration": "{}", **kwargs},
        )
        assert code == "ValidationException"
        assert "NUL" in message
    code, _ = aws_error(client.delete_resource_config, ResourceType=AGENT, ResourceId="a\x00")
    assert code == "ValidationException"
    assert row_counts(backend.db_url, account) == before
    code, _ = aws_error(client.get_resource_config_history, resourceType=AGENT, resourceId="a\x00")
    assert code == "ValidationException"
    code, _ = aws_error(client.list_discovered_resources, resourceType=AGENT, resourceName="o\x00")
    assert code == "ValidationException"
    assert [r["resourceId"] for r in listed(client, resourceIds=["a"])] == ["a"]


def test_long_resource_names_round_trip_or_are_refused_cleanly(
    backend: LiveServer, account: str
) -> None:
    client = config_client(backend, account, validate=False)
    start_custom_recording(client)
    put(client, "a", {"n": 1}, name="n" * 1000)
    assert listed(client)[0]["resourceName"] == "n" * 1000
    assert history(client, "a")[0]["resourceName"] == "n" * 1000
    before = row_counts(backend.db_url, account)
    try:
        put(client, "b", {"n": 1}, name="m" * 5000)
    except ClientError as error:  # a store with bounded names: a clear refusal, no write
        assert error.response["Error"]["Code"] == "ValidationException"
        assert "resourceName" in error.response["Error"]["Message"]
        assert row_counts(backend.db_url, account) == before
    else:
        assert listed(client, resourceName="m" * 5000)[0]["resourceId"] == "b"
