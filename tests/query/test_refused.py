"""What AWS Config refuses gets InvalidExpressionException with a message naming it;
paging mistakes get InvalidLimitException and InvalidNextTokenException."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.conftest import LiveServer, config_client
from tests.helpers import raw_call

REFUSED = [
    ("SELECT resourceId FROM resources", "FROM is not supported"),
    (
        "SELECT resourceId FROM a JOIN b ON a.x = b.x",
        "FROM is not supported",
    ),
    (
        "SELECT resourceId WHERE resourceId IN (SELECT resourceId WHERE resourceType = 'x')",
        "Subqueries are not supported",
    ),
    ("SELECT resourceId UNION SELECT resourceName", "UNION is not supported"),
    (
        "SELECT resourceType, COUNT(*) GROUP BY resourceType HAVING COUNT(*) > 1",
        "HAVING is not supported",
    ),
    ("SELECT resourceId AS id", "AS (aliases) is not supported"),
    ("SELECT DISTINCT resourceType", "DISTINCT is not supported"),
    ("SELECT resourceId WHERE resourceName IS NULL", "NULL tests"),
    ("SELECT resourceId WHERE resourceName LIKE '%web'", "only prefix patterns"),
    ("SELECT resourceId WHERE resourceName LIKE 'we%'", "at least three characters"),
    ("SELECT UPPER(resourceId)", "Function UPPER is not supported"),
    ("SELECT COUNT(MAX(configuration.size))", "Nested functions are not supported"),
    ("SELECT SUM(*)", "SUM(*) is not supported"),
    ("SELECT resourceId, COUNT(*)", "'resourceId' must appear in GROUP BY"),
    (
        "SELECT resourceType, COUNT(*) GROUP BY resourceType, awsRegion, accountId, resourceName",
        "GROUP BY takes at most 3 properties",
    ),
    (
        "SELECT resourceType, awsRegion, COUNT(*) GROUP BY resourceType, awsRegion "
        "ORDER BY COUNT(*) DESC",
        "GROUP BY may name only one property",
    ),
    (
        "SELECT configuration.dbclusterIdentifier WHERE configuration.dBClusterIdentifier = 'x'",
        "differ only in case",
    ),
    ("SELECT resourceId WHERE tags = 'x'", "'tags' as a whole cannot be filtered on"),
    ("SELECT resourceId WHERE tags.Name = 'web'", "tags are queried with tags.key"),
    ("SELECT bogus", "Unknown property 'bogus'"),
    ("SELECT resourceId WHERE configuration.size + 1 > 2", "not supported"),
    ("SELECT resourceId WHERE resourceId = resourceName", "Comparing two properties"),
    ("SELECT resourceId WHERE 'x' = resourceId", "left side of a comparison must be a property"),
    ("SELECT resourceId WHERE resourceCreationTime > 'yesterday'", "not an ISO-8601 time"),
    ("SELECT resourceId WHERE resourceId = 3", "is a string"),
    ("SELECT resourceId LIMIT 5", "LIMIT"),
    ("SELECT resourceId; SELECT resourceName", "exactly one SELECT"),
    ("DELETE FROM resources", "Only SELECT is supported"),
    ("SELECT resourceId WHERE (resourceId = 'a'", "not valid SQL"),
    ("SELECT resourceId WHERE resourceId", "is not a condition"),
]


@pytest.mark.parametrize(("expression", "message"), REFUSED, ids=[m for _, m in REFUSED])
def test_refused_expression(server: LiveServer, expression: str, message: str) -> None:
    config = config_client(server)
    with pytest.raises(ClientError) as caught:
        config.select_resource_config(Expression=expression)
    error = caught.value.response["Error"]
    assert error["Code"] == "InvalidExpressionException"
    assert message in error["Message"]


def _error(call: Any) -> dict[str, str]:
    with pytest.raises(ClientError) as caught:
        call()
    return caught.value.response["Error"]  # type: ignore[no-any-return]


def test_paging_errors(backend: LiveServer) -> None:
    config = config_client(backend)
    loose = config_client(backend, validate=False)
    assert _error(lambda: loose.select_resource_config(Expression="SELECT resourceId", Limit=101))[
        "Code"
    ] in ("InvalidLimitException", "ValidationException")
    bad = _error(
        lambda: config.select_resource_config(Expression="SELECT resourceId", NextToken="nope")
    )
    assert bad == {
        "Code": "InvalidNextTokenException",
        "Message": "The nextToken provided is invalid",
    }


def test_token_is_bound_to_the_expression_and_account(backend: LiveServer) -> None:
    from tests.conftest import start_custom_recording

    config = config_client(backend)
    start_custom_recording(config)
    for index in range(3):
        config.put_resource_config(
            ResourceType="Acme::Paging::Thing",
            SchemaVersionId="1",
            ResourceId=f"t{index}",
            Configuration="{}",
        )
    page = config.select_resource_config(Expression="SELECT resourceId", Limit=2)
    assert len(page["Results"]) == 2 and page["NextToken"]
    rest = config.select_resource_config(
        Expression="SELECT resourceId", Limit=2, NextToken=page["NextToken"]
    )
    assert [r for r in rest["Results"]] == ['{"resourceId":"t2"}'] and "NextToken" not in rest
    other = _error(
        lambda: config.select_resource_config(
            Expression="SELECT resourceName", Limit=2, NextToken=page["NextToken"]
        )
    )
    assert other["Code"] == "InvalidNextTokenException"
    stranger = config_client(backend)
    moved = _error(
        lambda: stranger.select_resource_config(
            Expression="SELECT resourceId", Limit=2, NextToken=page["NextToken"]
        )
    )
    assert moved["Code"] == "InvalidNextTokenException"


def test_empty_account_answers_with_no_results(server: LiveServer) -> None:
    status, body, _ = raw_call(
        server.url,
        "SelectResourceConfig",
        '{"Expression": "SELECT resourceId, COUNT(*) GROUP BY resourceId"}',
    )
    assert status == 200
    assert body == {
        "Results": [],
        "QueryInfo": {"SelectFields": [{"Name": "resourceId"}, {"Name": "COUNT(*)"}]},
    }
