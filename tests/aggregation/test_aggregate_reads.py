"""What an aggregator sees: three accounts, two regions, with and without authorization.

The aggregate reads (ListAggregateDiscoveredResources, GetAggregateResourceConfig,
BatchGetAggregateResourceConfig, GetAggregateDiscoveredResourceCounts) and the sources'
status, on both stores. A source partition is visible only once its account authorized
the aggregator's account and region in that region; the aggregator's own account needs
no authorization.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from tests.aggregation.conftest import AGENT, QUEUE, R1, R2, REGIONS, Estate
from tests.conftest import config_client, new_account, start_custom_recording
from tests.e2e_sandbox.helpers import wait_for


def aws_error(call: Callable[..., Any], **kwargs: Any) -> tuple[str, str]:
    with pytest.raises(ClientError) as info:
        call(**kwargs)
    assert info.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    error = info.value.response["Error"]
    return error["Code"], error["Message"]


def listed(
    estate: Estate, resource_type: str = AGENT, name: str = "all", **kwargs: Any
) -> set[tuple[str, str, str]]:
    """(account, region, id) of every resource the aggregator lists, through the paginator."""
    pages = (
        estate.client(estate.hub)
        .get_paginator("list_aggregate_discovered_resources")
        .paginate(ConfigurationAggregatorName=name, ResourceType=resource_type, **kwargs)
    )
    found = [
        (r["SourceAccountId"], r["SourceRegion"], r["ResourceId"])
        for page in pages
        for r in page["ResourceIdentifiers"]
    ]
    assert len(found) == len(set(found)), "a resource listed twice"
    return set(found)


def agents_of(estate: Estate, account: str, region: str) -> set[tuple[str, str, str]]:
    return {(account, region, f"agent-{n}") for n in range(estate.agents[account])}


def statuses(estate: Estate, name: str = "all", **kwargs: Any) -> dict[tuple[str, str], Any]:
    pages = (
        estate.client(estate.hub)
        .get_paginator("describe_configuration_aggregator_sources_status")
        .paginate(ConfigurationAggregatorName=name, **kwargs)
    )
    found = {
        (s["SourceId"], s["AwsRegion"]): s
        for page in pages
        for s in page["AggregatedSourceStatusList"]
    }
    return found


def counts(estate: Estate, name: str = "all", **kwargs: Any) -> dict[str, Any]:
    reply: dict[str, Any] = estate.client(estate.hub).get_aggregate_discovered_resource_counts(
        ConfigurationAggregatorName=name, **kwargs
    )
    reply.pop("ResponseMetadata")
    return reply


def test_without_authorization_only_the_aggregators_own_account_is_seen(estate: Estate) -> None:
    estate.put_aggregator()
    assert listed(estate) == agents_of(estate, estate.hub, R1) | agents_of(estate, estate.hub, R2)
    found = statuses(estate)
    assert set(found) == {(a, r) for a in estate.accounts for r in REGIONS}
    for region in REGIONS:
        assert found[(estate.hub, region)]["LastUpdateStatus"] == "SUCCEEDED"
        assert "LastErrorCode" not in found[(estate.hub, region)]
        for source in (estate.b, estate.c):
            status = found[(source, region)]
            assert status["SourceType"] == "ACCOUNT"
            assert status["LastUpdateStatus"] == "FAILED"
            assert status["LastErrorCode"] == "AccessDeniedException"
            assert "Authorization is not granted" in status["LastErrorMessage"]
            assert source in status["LastErrorMessage"]
    # hub: 1 agent + 1 queue, in each region
    assert counts(estate, GroupByKey="RESOURCE_TYPE") == {
        "TotalDiscoveredResources": 4,
        "GroupByKey": "RESOURCE_TYPE",
        "GroupedResourceCounts": [
            {"GroupName": AGENT, "ResourceCount": 2},
            {"GroupName": QUEUE, "ResourceCount": 2},
        ],
    }


def test_authorization_admits_exactly_the_authorized_region(estate: Estate) -> None:
    estate.put_aggregator()
    estate.authorize(estate.b, R1)  # b admits (hub, R1) in R1 only
    estate.authorize(estate.c, R1, aggregator_region=R2)  # c admits another aggregator region
    estate.authorize(estate.c, R2)
    hub_agents = agents_of(estate, estate.hub, R1) | agents_of(estate, estate.hub, R2)
    assert listed(estate) == hub_agents | agents_of(estate, estate.b, R1) | agents_of(
        estate, estate.c, R2
    )
    found = statuses(estate)
    assert found[(estate.b, R1)]["LastUpdateStatus"] == "SUCCEEDED"
    assert found[(estate.b, R2)]["LastUpdateStatus"] == "FAILED"
    assert found[(estate.c, R1)]["LastUpdateStatus"] == "FAILED"
    assert found[(estate.c, R2)]["LastUpdateStatus"] == "SUCCEEDED"
    assert {k for k, s in statuses(estate, UpdateStatus=["FAILED"]).items()} == {
        (estate.b, R2),
        (estate.c, R1),
    }
    assert set(statuses(estate, UpdateStatus=["SUCCEEDED"])) == {
        (estate.hub, R1),
        (estate.hub, R2),
        (estate.b, R1),
        (estate.c, R2),
    }
    assert statuses(estate, UpdateStatus=["OUTDATED"]) == {}

    # Everyone authorizes everything: all six partitions.
    estate.authorize(estate.b, R2)
    estate.authorize(estate.c, R1)
    everything = {x for a in estate.accounts for r in REGIONS for x in agents_of(estate, a, r)}
    assert listed(estate) == everything
    assert {s["LastUpdateStatus"] for s in statuses(estate).values()} == {"SUCCEEDED"}

    # Revoking hides the partition again at once.
    estate.client(estate.b, R1).delete_aggregation_authorization(
        AuthorizedAccountId=estate.hub, AuthorizedAwsRegion=R1
    )
    assert listed(estate) == everything - agents_of(estate, estate.b, R1)
    assert statuses(estate)[(estate.b, R1)]["LastUpdateStatus"] == "FAILED"


def test_the_aggregator_reads_only_the_regions_and_accounts_it_names(estate: Estate) -> None:
    for region in REGIONS:
        estate.authorize(estate.b, region)
        estate.authorize(estate.c, region)
    estate.put_aggregator(AccountIds=[estate.b], AwsRegions=[R2])
    assert listed(estate) == agents_of(estate, estate.b, R2)
    assert set(statuses(estate)) == {(estate.b, R2)}
    # The hub's own data is not aggregated unless the hub is one of the sources.
    assert counts(estate)["TotalDiscoveredResources"] == 3
    # Replacing the accounts replaces them (spec 2.9: append client-side).
    estate.put_aggregator(AccountIds=[estate.c, estate.hub], AwsRegions=[R1])
    assert listed(estate) == agents_of(estate, estate.c, R1) | agents_of(estate, estate.hub, R1)


def test_all_regions_covers_every_region_of_the_partition(estate: Estate) -> None:
    estate.authorize(estate.b, R2)
    estate.put_aggregator(AccountIds=[estate.hub, estate.b], AllAwsRegions=True)
    regions = boto3.session.Session().get_available_regions("config")
    found = statuses(estate)
    assert set(found) == {(a, r) for a in (estate.hub, estate.b) for r in regions}
    succeeded = {k for k, s in found.items() if s["LastUpdateStatus"] == "SUCCEEDED"}
    assert succeeded == {(estate.hub, r) for r in regions} | {(estate.b, R2)}
    assert listed(estate) == (
        agents_of(estate, estate.hub, R1)
        | agents_of(estate, estate.hub, R2)
        | agents_of(estate, estate.b, R2)
    )
    described = estate.client(estate.hub).describe_configuration_aggregators(
        ConfigurationAggregatorNames=["all"]
    )["ConfigurationAggregators"][0]
    assert described["AccountAggregationSources"] == [
        {"AccountIds": [estate.hub, estate.b], "AllAwsRegions": True}
    ]


def test_list_filters_and_resource_names(estate: Estate) -> None:
    for region in REGIONS:
        estate.authorize(estate.b, region)
        estate.authorize(estate.c, region)
    estate.put_aggregator()
    client = estate.client(estate.hub)
    page = client.list_aggregate_discovered_resources(
        ConfigurationAggregatorName="all",
        ResourceType=AGENT,
        Filters={"AccountId": estate.c, "Region": R2, "ResourceId": "agent-2"},
    )
    assert page["ResourceIdentifiers"] == [
        {
            "SourceAccountId": estate.c,
            "SourceRegion": R2,
            "ResourceId": "agent-2",
            "ResourceType": AGENT,
            "ResourceName": "name of agent-2",
        }
    ]
    assert listed(estate, Filters={"ResourceName": "name of agent-1"}) == {
        (a, r, "agent-1") for a in (estate.b, estate.c) for r in REGIONS
    }
    assert listed(estate, Filters={"AccountId": estate.b}) == agents_of(
        estate, estate.b, R1
    ) | agents_of(estate, estate.b, R2)
    assert listed(estate, Filters={"Region": R1}) == {
        x for a in estate.accounts for x in agents_of(estate, a, R1)
    }
    assert listed(estate, QUEUE) == {(a, r, "queue-0") for a in estate.accounts for r in REGIONS}
    assert listed(estate, "AWS::EC2::Instance") == set()
    # A deleted resource leaves the list.
    estate.client(estate.b, R1).delete_resource_config(ResourceType=AGENT, ResourceId="agent-0")
    assert (estate.b, R1, "agent-0") not in listed(estate)


def test_list_pages_cross_partitions_in_order_with_signed_tokens(estate: Estate) -> None:
    for region in REGIONS:
        estate.authorize(estate.b, region)
        estate.authorize(estate.c, region)
    estate.put_aggregator()
    client = estate.client(estate.hub)
    pages: list[list[tuple[str, str, str]]] = []
    token = None
    while True:
        extra = {"NextToken": token} if token else {}
        page = client.list_aggregate_discovered_resources(
            ConfigurationAggregatorName="all", ResourceType=AGENT, Limit=4, **extra
        )
        pages.append(
            [
                (r["SourceAccountId"], r["SourceRegion"], r["ResourceId"])
                for r in page["ResourceIdentifiers"]
            ]
        )
        token = page.get("NextToken")
        if not token:
            break
        assert len(pages) < 10
    flat = [x for p in pages for x in p]
    assert [len(p) for p in pages] == [4, 4, 4]  # 12 agents in all
    assert flat == sorted(flat)  # by account, region, id
    assert set(flat) == {
        x for a in estate.accounts for r in REGIONS for x in agents_of(estate, a, r)
    }

    first = client.list_aggregate_discovered_resources(
        ConfigurationAggregatorName="all", ResourceType=AGENT, Limit=4
    )
    code, message = aws_error(
        client.list_aggregate_discovered_resources,
        ConfigurationAggregatorName="all",
        ResourceType=AGENT,
        NextToken=first["NextToken"][:-2] + "AA",
    )
    assert (code, message) == ("InvalidNextTokenException", "The nextToken provided is invalid")
    # A token is bound to its request: another type, or another account, refuses it.
    assert (
        aws_error(
            client.list_aggregate_discovered_resources,
            ConfigurationAggregatorName="all",
            ResourceType=QUEUE,
            NextToken=first["NextToken"],
        )[0]
        == "InvalidNextTokenException"
    )
    assert aws_error(
        estate.client(estate.b).list_aggregate_discovered_resources,
        ConfigurationAggregatorName="all",
        ResourceType=AGENT,
        NextToken=first["NextToken"],
    )[0] in ("InvalidNextTokenException", "NoSuchConfigurationAggregatorException")
    code, _ = aws_error(
        client.list_aggregate_discovered_resources,
        ConfigurationAggregatorName="all",
        ResourceType=AGENT,
        Limit=101,
    )
    assert code == "ValidationException"


def test_get_aggregate_resource_config_returns_the_source_item(estate: Estate) -> None:
    estate.authorize(estate.b, R2)
    estate.put_aggregator()
    client = estate.client(estate.hub)
    item = client.get_aggregate_resource_config(
        ConfigurationAggregatorName="all",
        ResourceIdentifier={
            "SourceAccountId": estate.b,
            "SourceRegion": R2,
            "ResourceId": "agent-1",
            "ResourceType": AGENT,
        },
    )["ConfigurationItem"]
    assert item["accountId"] == estate.b
    assert item["awsRegion"] == R2
    assert item["resourceId"] == "agent-1"
    assert item["resourceName"] == "name of agent-1"
    assert json.loads(item["configuration"]) == {
        "id": "agent-1",
        "account": estate.b,
        "region": R2,
    }
    assert item["configurationItemStatus"] == "ResourceDiscovered"
    assert "tags" in item and "relationships" in item
    own = client.get_aggregate_resource_config(
        ConfigurationAggregatorName="all",
        ResourceIdentifier={
            "SourceAccountId": estate.hub,
            "SourceRegion": R1,
            "ResourceId": "queue-0",
            "ResourceType": QUEUE,
        },
    )["ConfigurationItem"]
    assert (own["accountId"], own["awsRegion"], own["resourceType"]) == (estate.hub, R1, QUEUE)

    # Not authorized (b in R1), never existed, deleted, not a source: not discovered.
    estate.client(estate.b, R2).delete_resource_config(ResourceType=AGENT, ResourceId="agent-0")
    for account, region, resource_id in [
        (estate.b, R1, "agent-1"),
        (estate.b, R2, "agent-9"),
        (estate.b, R2, "agent-0"),
        (new_account(), R1, "agent-0"),
    ]:
        code, message = aws_error(
            client.get_aggregate_resource_config,
            ConfigurationAggregatorName="all",
            ResourceIdentifier={
                "SourceAccountId": account,
                "SourceRegion": region,
                "ResourceId": resource_id,
                "ResourceType": AGENT,
            },
        )
        assert code == "ResourceNotDiscoveredException"
        assert message == (
            f"Resource {resource_id} of resourceType:{AGENT} is unknown or has not been discovered"
        )
    code, _ = aws_error(
        client.get_aggregate_resource_config,
        ConfigurationAggregatorName="nope",
        ResourceIdentifier={
            "SourceAccountId": estate.hub,
            "SourceRegion": R1,
            "ResourceId": "queue-0",
            "ResourceType": QUEUE,
        },
    )
    assert code == "NoSuchConfigurationAggregatorException"
    code, _ = aws_error(
        client.get_aggregate_resource_config,
        ConfigurationAggregatorName="all",
        ResourceIdentifier={
            "SourceAccountId": "12345",
            "SourceRegion": R1,
            "ResourceId": "queue-0",
            "ResourceType": QUEUE,
        },
    )
    assert code == "ValidationException"


def test_batch_get_returns_what_is_visible_in_the_order_asked(estate: Estate) -> None:
    estate.authorize(estate.c, R1)
    estate.put_aggregator()

    def ident(
        account: str, region: str, resource_id: str, resource_type: str = AGENT
    ) -> dict[str, str]:
        return {
            "SourceAccountId": account,
            "SourceRegion": region,
            "ResourceId": resource_id,
            "ResourceType": resource_type,
        }

    asked = [
        ident(estate.c, R1, "agent-2"),
        ident(estate.b, R1, "agent-0"),  # b has not authorized
        ident(estate.hub, R2, "queue-0", QUEUE),
        ident(estate.c, R1, "agent-7"),  # no such resource
        ident(estate.c, R1, "agent-0"),
        ident(estate.c, R1, "agent-2"),  # asked twice, returned once
    ]
    reply = estate.client(estate.hub).batch_get_aggregate_resource_config(
        ConfigurationAggregatorName="all", ResourceIdentifiers=asked
    )
    got = [
        (i["accountId"], i["awsRegion"], i["resourceId"]) for i in reply["BaseConfigurationItems"]
    ]
    assert got == [
        (estate.c, R1, "agent-2"),
        (estate.hub, R2, "queue-0"),
        (estate.c, R1, "agent-0"),
    ]
    assert reply["UnprocessedResourceIdentifiers"] == []
    assert "tags" not in reply["BaseConfigurationItems"][0]  # the base form
    code, _ = aws_error(
        estate.client(estate.hub).batch_get_aggregate_resource_config,
        ConfigurationAggregatorName="all",
        ResourceIdentifiers=[ident(estate.c, R1, f"agent-{n}") for n in range(101)],
    )
    assert code == "ValidationException"
    code, _ = aws_error(
        estate.client(estate.hub).batch_get_aggregate_resource_config,
        ConfigurationAggregatorName="none",
        ResourceIdentifiers=asked[:1],
    )
    assert code == "NoSuchConfigurationAggregatorException"


def test_counts_group_by_account_region_and_type(estate: Estate) -> None:
    for region in REGIONS:
        estate.authorize(estate.b, region)
    estate.authorize(estate.c, R2)
    estate.put_aggregator()
    # Visible: hub both regions (1 agent + 1 queue each), b both (2 + 1), c in R2 (3 + 1).
    assert counts(estate) == {"TotalDiscoveredResources": 4 + 6 + 4}
    assert counts(estate, GroupByKey="ACCOUNT_ID") == {
        "TotalDiscoveredResources": 14,
        "GroupByKey": "ACCOUNT_ID",
        "GroupedResourceCounts": sorted(
            [
                {"GroupName": estate.hub, "ResourceCount": 4},
                {"GroupName": estate.b, "ResourceCount": 6},
                {"GroupName": estate.c, "ResourceCount": 4},
            ],
            key=lambda g: (-g["ResourceCount"], g["GroupName"]),
        ),
    }
    assert counts(estate, GroupByKey="AWS_REGION")["GroupedResourceCounts"] == [
        {"GroupName": R2, "ResourceCount": 9},
        {"GroupName": R1, "ResourceCount": 5},
    ]
    assert counts(estate, GroupByKey="RESOURCE_TYPE")["GroupedResourceCounts"] == [
        {"GroupName": AGENT, "ResourceCount": 9},
        {"GroupName": QUEUE, "ResourceCount": 5},
    ]
    filtered = counts(
        estate, GroupByKey="RESOURCE_TYPE", Filters={"AccountId": estate.b, "Region": R1}
    )
    assert filtered["TotalDiscoveredResources"] == 3
    assert filtered["GroupedResourceCounts"] == [
        {"GroupName": AGENT, "ResourceCount": 2},
        {"GroupName": QUEUE, "ResourceCount": 1},
    ]
    by_type = counts(estate, GroupByKey="ACCOUNT_ID", Filters={"ResourceType": QUEUE})
    assert by_type["TotalDiscoveredResources"] == 5
    # Paging the groups: one group a page, signed tokens.
    first = counts(estate, GroupByKey="ACCOUNT_ID", Limit=1)
    assert len(first["GroupedResourceCounts"]) == 1
    second = counts(estate, GroupByKey="ACCOUNT_ID", Limit=1, NextToken=first["NextToken"])
    third = counts(estate, GroupByKey="ACCOUNT_ID", Limit=1, NextToken=second["NextToken"])
    assert "NextToken" not in third
    assert [g["GroupName"] for p in (first, second, third) for g in p["GroupedResourceCounts"]] == [
        g["GroupName"] for g in counts(estate, GroupByKey="ACCOUNT_ID")["GroupedResourceCounts"]
    ]
    assert (
        aws_error(
            estate.client(estate.hub).get_aggregate_discovered_resource_counts,
            ConfigurationAggregatorName="all",
            GroupByKey="AWS_REGION",
            NextToken=first["NextToken"],
        )[0]
        == "InvalidNextTokenException"
    )
    assert (
        aws_error(
            estate.client(estate.hub).get_aggregate_discovered_resource_counts,
            ConfigurationAggregatorName="all",
            GroupByKey="NOT_A_KEY",
        )[0]
        == "ValidationException"
    )
    assert (
        aws_error(
            estate.client(estate.hub).get_aggregate_discovered_resource_counts,
            ConfigurationAggregatorName="all",
            Limit=1001,
        )[0]
        == "ValidationException"
    )


def test_a_resource_type_filter_narrows_what_is_aggregated(estate: Estate) -> None:
    estate.client(estate.hub).put_configuration_aggregator(
        ConfigurationAggregatorName="queues",
        AccountAggregationSources=[{"AccountIds": [estate.hub], "AllAwsRegions": True}],
        AggregatorFilters={"ResourceType": {"Type": "INCLUDE", "Value": [QUEUE]}},
    )
    assert listed(estate, AGENT, name="queues") == set()
    assert listed(estate, QUEUE, name="queues") == {(estate.hub, r, "queue-0") for r in REGIONS}
    assert counts(estate, name="queues", GroupByKey="RESOURCE_TYPE")["GroupedResourceCounts"] == [
        {"GroupName": QUEUE, "ResourceCount": 2}
    ]
    code, _ = aws_error(
        estate.client(estate.hub).get_aggregate_resource_config,
        ConfigurationAggregatorName="queues",
        ResourceIdentifier={
            "SourceAccountId": estate.hub,
            "SourceRegion": R1,
            "ResourceId": "agent-0",
            "ResourceType": AGENT,
        },
    )
    assert code == "ResourceNotDiscoveredException"


def test_reads_of_an_unknown_aggregator(estate: Estate) -> None:
    client = estate.client(estate.hub, R2)  # aggregators belong to one region
    estate.put_aggregator()
    for call, kwargs in [
        (client.list_aggregate_discovered_resources, {"ResourceType": AGENT}),
        (client.get_aggregate_discovered_resource_counts, {}),
        (client.describe_configuration_aggregator_sources_status, {}),
    ]:
        code, message = aws_error(call, ConfigurationAggregatorName="all", **kwargs)
        assert code == "NoSuchConfigurationAggregatorException"
        assert message == (
            "The configuration aggregator does not exist. Check the configuration aggregator "
            "name and try again."
        )


def test_sources_status_pages(estate: Estate) -> None:
    estate.put_aggregator(AccountIds=[estate.hub, estate.b, estate.c], AllAwsRegions=True)
    everything = statuses(estate)
    client = estate.client(estate.hub)
    seen: list[tuple[str, str]] = []
    token = None
    while True:
        extra = {"NextToken": token} if token else {}
        page = client.describe_configuration_aggregator_sources_status(
            ConfigurationAggregatorName="all", Limit=25, UpdateStatus=["FAILED"], **extra
        )
        assert len(page["AggregatedSourceStatusList"]) <= 25
        seen += [(s["SourceId"], s["AwsRegion"]) for s in page["AggregatedSourceStatusList"]]
        token = page.get("NextToken")
        if not token:
            break
    assert seen == sorted(k for k, s in everything.items() if s["LastUpdateStatus"] == "FAILED")
    assert len(seen) == 2 * len(boto3.session.Session().get_available_regions("config"))
    assert (
        aws_error(
            client.describe_configuration_aggregator_sources_status,
            ConfigurationAggregatorName="all",
            NextToken=token or "garbage",
        )[0]
        == "InvalidNextTokenException"
    )


def test_sandbox_resources_recorded_in_a_source_account_are_aggregated(estate: Estate) -> None:
    """A real AWS type, recorded by the recorder from the embedded sandbox in account b."""
    source = new_account()
    region = R2
    sns = boto3.client(
        "sns",
        endpoint_url=estate.server.url,
        region_name=region,
        aws_access_key_id=source,
        aws_secret_access_key="test",
    )
    arn = sns.create_topic(Name="alerts")["TopicArn"]
    client = config_client(estate.server, source, region)
    start_custom_recording(client)  # records AWS::SNS::Topic
    # The shared server's recorder may have other tests' sweeps queued before this one.
    wait_for(
        lambda: client.list_discovered_resources(resourceType="AWS::SNS::Topic")[
            "resourceIdentifiers"
        ],
        timeout=180,
        interval=0.2,
    )
    client.put_aggregation_authorization(AuthorizedAccountId=estate.hub, AuthorizedAwsRegion=R1)
    estate.put_aggregator(AccountIds=[source], AwsRegions=[region], types=None)
    assert listed(estate, "AWS::SNS::Topic") == {(source, region, arn)}
    item = estate.client(estate.hub).get_aggregate_resource_config(
        ConfigurationAggregatorName="all",
        ResourceIdentifier={
            "SourceAccountId": source,
            "SourceRegion": region,
            "ResourceId": arn,
            "ResourceType": "AWS::SNS::Topic",
        },
    )["ConfigurationItem"]
    assert item["arn"] == arn and item["accountId"] == source
