"""SelectAggregateResourceConfig over three accounts and two regions, on both stores.

The query reads only the partitions the aggregator may see: its own account's, and a
source's once that source authorized it in that region; accountId and awsRegion are
selectable and groupable; the aggregator's resource-type filter holds; pages follow
signed tokens; bad requests get AWS's errors.
"""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

from tests.aggregation.conftest import AGENT, QUEUE, R1, R2, REGIONS, Estate
from tests.aggregation.test_aggregate_reads import aws_error


def rows(estate: Estate, expression: str, name: str = "all", **kwargs: Any) -> list[Any]:
    """Every row of the query, page after page."""
    client = estate.client(estate.hub)
    found: list[Any] = []
    token = None
    while True:
        extra = {"NextToken": token} if token else {}
        page = client.select_aggregate_resource_config(
            ConfigurationAggregatorName=name, Expression=expression, **kwargs, **extra
        )
        found += [json.loads(row) for row in page["Results"]]
        token = page.get("NextToken")
        if not token:
            return found


AGENTS = f"SELECT resourceId, accountId, awsRegion WHERE resourceType = '{AGENT}'"


def agent_rows(estate: Estate, account: str, region: str) -> list[tuple[str, str, str]]:
    return [(account, region, f"agent-{n}") for n in range(estate.agents[account])]


def as_tuples(found: list[Any]) -> list[tuple[str, str, str]]:
    return sorted((r["accountId"], r["awsRegion"], r["resourceId"]) for r in found)


def test_without_authorization_only_the_own_account_is_queried(estate: Estate) -> None:
    estate.put_aggregator()
    found = rows(estate, AGENTS)
    assert as_tuples(found) == sorted(
        agent_rows(estate, estate.hub, R1) + agent_rows(estate, estate.hub, R2)
    )


def test_authorized_sources_are_queried_and_grouped_by_account(estate: Estate) -> None:
    estate.put_aggregator()
    estate.authorize(estate.b, R1)  # b only in R1
    estate.authorize(estate.c, R1)
    estate.authorize(estate.c, R2)
    expected = sorted(
        agent_rows(estate, estate.hub, R1)
        + agent_rows(estate, estate.hub, R2)
        + agent_rows(estate, estate.b, R1)
        + agent_rows(estate, estate.c, R1)
        + agent_rows(estate, estate.c, R2)
    )
    assert as_tuples(rows(estate, AGENTS)) == expected

    page = estate.client(estate.hub).select_aggregate_resource_config(
        ConfigurationAggregatorName="all",
        Expression="SELECT COUNT(*), accountId GROUP BY accountId",
    )
    assert page["QueryInfo"]["SelectFields"] == [{"Name": "COUNT(*)"}, {"Name": "accountId"}]
    grouped = {r["accountId"]: r["COUNT(*)"] for r in map(json.loads, page["Results"])}
    # agents and queues (the aggregator keeps the custom types only)
    assert grouped == {estate.hub: 4, estate.b: 3, estate.c: 8}

    by_region = rows(
        estate,
        f"SELECT awsRegion, COUNT(*) WHERE resourceType = '{QUEUE}' GROUP BY awsRegion",
    )
    assert {r["awsRegion"]: r["COUNT(*)"] for r in by_region} == {R1: 3, R2: 2}

    only_c = rows(estate, AGENTS.replace("WHERE", f"WHERE accountId = '{estate.c}' AND"))
    assert as_tuples(only_c) == sorted(
        agent_rows(estate, estate.c, R1) + agent_rows(estate, estate.c, R2)
    )

    # Revoking hides the partition from the next query.
    estate.client(estate.c, R2).delete_aggregation_authorization(
        AuthorizedAccountId=estate.hub, AuthorizedAwsRegion=R1
    )
    assert as_tuples(rows(estate, AGENTS)) == sorted(
        set(expected) - set(agent_rows(estate, estate.c, R2))
    )


def test_pages_cover_every_row_once_with_limit_or_max_results(estate: Estate) -> None:
    estate.put_aggregator()
    for account in (estate.b, estate.c):
        for region in REGIONS:
            estate.authorize(account, region)
    everything = sorted(
        row for a in estate.accounts for r in REGIONS for row in agent_rows(estate, a, r)
    )
    assert len(everything) == 12
    for size in ({"Limit": 5}, {"MaxResults": 5}):
        found = as_tuples(rows(estate, AGENTS + " ORDER BY resourceId", **size))
        assert found == everything
        assert Counter(found).most_common(1)[0][1] == 1
    first = estate.client(estate.hub).select_aggregate_resource_config(
        ConfigurationAggregatorName="all", Expression=AGENTS, Limit=5
    )
    assert len(first["Results"]) == 5 and first["NextToken"]


def test_the_resource_type_filter_holds_in_queries(estate: Estate) -> None:
    estate.put_aggregator("queues", types=[QUEUE])
    found = rows(estate, "SELECT resourceType, COUNT(*) GROUP BY resourceType", name="queues")
    assert found == [{"resourceType": QUEUE, "COUNT(*)": 2}]


def test_errors(estate: Estate) -> None:
    estate.put_aggregator()
    estate.put_aggregator("other")
    client = estate.client(estate.hub)
    code, message = aws_error(
        client.select_aggregate_resource_config,
        ConfigurationAggregatorName="nowhere",
        Expression="SELECT resourceId",
    )
    assert code == "NoSuchConfigurationAggregatorException"
    assert "does not exist" in message
    # Another account's aggregator of the same name is not the caller's.
    assert (
        aws_error(
            estate.client(estate.b).select_aggregate_resource_config,
            ConfigurationAggregatorName="all",
            Expression="SELECT resourceId",
        )[0]
        == "NoSuchConfigurationAggregatorException"
    )
    for bad in ("SELECT", "SELECT resourceId FROM things", "SELECT * WHERE"):
        assert (
            aws_error(
                client.select_aggregate_resource_config,
                ConfigurationAggregatorName="all",
                Expression=bad,
            )[0]
            == "InvalidExpressionException"
        ), bad
    first = client.select_aggregate_resource_config(
        ConfigurationAggregatorName="all", Expression=AGENTS, Limit=1
    )
    token = first["NextToken"]
    for name, expression, forged in (
        ("all", AGENTS, "forged"),
        ("all", AGENTS, token[:-2]),
        ("other", AGENTS, token),  # another aggregator
        ("all", "SELECT resourceId", token),  # another expression
    ):
        assert (
            aws_error(
                client.select_aggregate_resource_config,
                ConfigurationAggregatorName=name,
                Expression=expression,
                Limit=1,
                NextToken=forged,
            )[0]
            == "InvalidNextTokenException"
        )
    assert (
        aws_error(
            client.select_aggregate_resource_config,
            ConfigurationAggregatorName="all",
            Expression=AGENTS,
            Limit=101,
        )[0]
        == "ValidationException"
    )
