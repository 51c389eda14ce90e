"""Stored queries: PutStoredQuery, GetStoredQuery, ListStoredQueries, DeleteStoredQuery
(spec 9.5), with AWS's errors."""

from __future__ import annotations

import re
from typing import Any

import pytest
from botocore.exceptions import ClientError

from configledger.operations.query import MAX_STORED_QUERIES
from tests.conftest import LiveServer, config_client
from tests.helpers import row_counts

EXPRESSION = "SELECT resourceId WHERE resourceType = 'AWS::EC2::Instance'"


def _error(call: Any) -> dict[str, str]:
    with pytest.raises(ClientError) as caught:
        call()
    return caught.value.response["Error"]  # type: ignore[no-any-return]


def test_put_get_update_list_delete(config: Any, account: str) -> None:
    arn = config.put_stored_query(
        StoredQuery={"QueryName": "instances", "Description": "all", "Expression": EXPRESSION},
        Tags=[{"Key": "team", "Value": "platform"}],
    )["QueryArn"]
    assert re.fullmatch(
        rf"arn:aws:config:us-east-1:{account}:stored-query/instances/query-[0-9a-f-]{{36}}", arn
    )
    stored = config.get_stored_query(QueryName="instances")["StoredQuery"]
    query_id = stored["QueryId"]
    assert stored == {
        "QueryId": query_id,
        "QueryArn": arn,
        "QueryName": "instances",
        "Description": "all",
        "Expression": EXPRESSION,
    }
    assert arn.endswith(f"/query-{query_id}")
    assert config.list_tags_for_resource(ResourceArn=arn)["Tags"] == [
        {"Key": "team", "Value": "platform"}
    ]
    # Put by the same name updates in place: same id and ARN, new text; tags stay.
    again = config.put_stored_query(
        StoredQuery={"QueryName": "instances", "Expression": "SELECT resourceId"},
        Tags=[{"Key": "ignored", "Value": "x"}],
    )["QueryArn"]
    assert again == arn
    updated = config.get_stored_query(QueryName="instances")["StoredQuery"]
    assert updated == {
        "QueryId": query_id,
        "QueryArn": arn,
        "QueryName": "instances",
        "Expression": "SELECT resourceId",
    }
    assert config.list_tags_for_resource(ResourceArn=arn)["Tags"] == [
        {"Key": "team", "Value": "platform"}
    ]
    config.put_stored_query(StoredQuery={"QueryName": "buckets", "Expression": EXPRESSION})
    listed = config.list_stored_queries()["StoredQueryMetadata"]
    assert [q["QueryName"] for q in listed] == ["buckets", "instances"]
    assert "Expression" not in listed[0] and listed[1]["QueryArn"] == arn
    config.delete_stored_query(QueryName="instances")
    assert [q["QueryName"] for q in config.list_stored_queries()["StoredQueryMetadata"]] == [
        "buckets"
    ]
    gone = _error(lambda: config.get_stored_query(QueryName="instances"))
    assert gone == {
        "Code": "ResourceNotFoundException",
        "Message": "The stored query 'instances' does not exist.",
    }
    assert _error(lambda: config.list_tags_for_resource(ResourceArn=arn))["Code"] == (
        "ResourceNotFoundException"
    )


def test_errors(config: Any, backend: LiveServer, account: str) -> None:
    assert _error(lambda: config.delete_stored_query(QueryName="missing"))["Code"] == (
        "ResourceNotFoundException"
    )
    assert _error(lambda: config.get_stored_query(QueryName="bad name!"))["Code"] == (
        "ValidationException"
    )
    assert _error(lambda: config.put_stored_query(StoredQuery={"QueryName": "no-expression"})) == {
        "Code": "ValidationException",
        "Message": "1 validation error detected: Value null at 'storedQuery.expression' "
        "failed to satisfy constraint: Member must not be null",
    }
    loose = config_client(backend, account, validate=False)
    bad = _error(
        lambda: loose.put_stored_query(
            StoredQuery={"QueryName": "x" * 65, "Expression": EXPRESSION}
        )
    )
    assert bad["Code"] == "ValidationException" and "queryName" in bad["Message"]
    assert row_counts(backend.db_url, account)["stored_queries"] == 0
    assert _error(lambda: config.list_stored_queries(NextToken="forged"))["Code"] == (
        "InvalidNextTokenException"
    )


def test_paging_and_the_quota(server: LiveServer) -> None:
    config = config_client(server)
    for index in range(MAX_STORED_QUERIES):
        config.put_stored_query(
            StoredQuery={"QueryName": f"q{index:03d}", "Expression": EXPRESSION}
        )
    names: list[str] = []
    kwargs: dict[str, Any] = {"MaxResults": 100}
    while True:
        page = config.list_stored_queries(**kwargs)
        assert len(page["StoredQueryMetadata"]) <= 100
        names.extend(q["QueryName"] for q in page["StoredQueryMetadata"])
        if "NextToken" not in page:
            break
        kwargs["NextToken"] = page["NextToken"]
    assert names == [f"q{index:03d}" for index in range(MAX_STORED_QUERIES)]
    full = _error(
        lambda: config.put_stored_query(StoredQuery={"QueryName": "one-more", "Expression": "x"})
    )
    assert full["Code"] == "ValidationException" and "300" in full["Message"]
    # Updating an existing one is no new query: allowed at the quota.
    config.put_stored_query(StoredQuery={"QueryName": "q000", "Expression": "SELECT arn"})
    assert config.get_stored_query(QueryName="q000")["StoredQuery"]["Expression"] == "SELECT arn"
