"""Aggregation authorizations and pending aggregation requests on both stores (spec 2.9, 9.3).

Authorizations are put in the source account and region and name the aggregator's account
and region; a source named by an aggregator it has not authorized sees a pending request
until it authorizes, deletes the request, or the aggregator stops asking.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.conftest import LiveServer, config_client, new_account
from tests.helpers import row_counts

R1, R2 = "us-east-1", "eu-west-1"


def aws_error(call: Callable[..., Any], **kwargs: Any) -> tuple[str, str]:
    with pytest.raises(ClientError) as info:
        call(**kwargs)
    assert info.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    error = info.value.response["Error"]
    assert error["Message"]
    return error["Code"], error["Message"]


def authorizations(client: Any, **kwargs: Any) -> list[tuple[str, str]]:
    pages = client.get_paginator("describe_aggregation_authorizations").paginate(**kwargs)
    return [
        (a["AuthorizedAccountId"], a["AuthorizedAwsRegion"])
        for page in pages
        for a in page["AggregationAuthorizations"]
    ]


def pending(client: Any, **kwargs: Any) -> list[tuple[str, str]]:
    pages = client.get_paginator("describe_pending_aggregation_requests").paginate(**kwargs)
    return [
        (p["RequesterAccountId"], p["RequesterAwsRegion"])
        for page in pages
        for p in page["PendingAggregationRequests"]
    ]


def aggregate(client: Any, name: str, *accounts: str, regions: list[str] | None = None) -> None:
    source: dict[str, Any] = {"AccountIds": list(accounts)}
    if regions is None:
        source["AllAwsRegions"] = True
    else:
        source["AwsRegions"] = regions
    client.put_configuration_aggregator(
        ConfigurationAggregatorName=name, AccountAggregationSources=[source]
    )


# -- authorizations -------------------------------------------------------------------------


def test_put_describe_and_delete_an_authorization(backend: LiveServer, account: str) -> None:
    source = config_client(backend, account, R2)
    hub = new_account()
    created = source.put_aggregation_authorization(
        AuthorizedAccountId=hub,
        AuthorizedAwsRegion=R1,
        Tags=[{"Key": "owner", "Value": "security"}],
    )["AggregationAuthorization"]
    arn = f"arn:aws:config:{R2}:{account}:aggregation-authorization/{hub}/{R1}"
    assert created["AggregationAuthorizationArn"] == arn
    assert (created["AuthorizedAccountId"], created["AuthorizedAwsRegion"]) == (hub, R1)
    assert abs(created["CreationTime"].timestamp() - time.time()) < 60

    # Idempotent: the same object back, tags of a later put ignored.
    again = source.put_aggregation_authorization(
        AuthorizedAccountId=hub, AuthorizedAwsRegion=R1, Tags=[{"Key": "owner", "Value": "x"}]
    )["AggregationAuthorization"]
    assert again == created
    listed = source.describe_aggregation_authorizations()["AggregationAuthorizations"]
    assert listed == [created]
    assert source.list_tags_for_resource(ResourceArn=arn)["Tags"] == [
        {"Key": "owner", "Value": "security"}
    ]
    source.tag_resource(ResourceArn=arn, Tags=[{"Key": "env", "Value": "prod"}])
    assert len(source.list_tags_for_resource(ResourceArn=arn)["Tags"]) == 2

    # It lives in the source's region only.
    assert authorizations(config_client(backend, account, R1)) == []
    assert (
        aws_error(config_client(backend, account, R1).list_tags_for_resource, ResourceArn=arn)[0]
        == "ResourceNotFoundException"
    )

    source.delete_aggregation_authorization(AuthorizedAccountId=hub, AuthorizedAwsRegion=R1)
    assert authorizations(source) == []
    code, message = aws_error(source.list_tags_for_resource, ResourceArn=arn)
    assert (code, message) == ("ResourceNotFoundException", f"ResourceArn '{arn}' does not exist")
    counts = row_counts(backend.db_url, account)
    assert counts["aggregation_authorizations"] == 0 and counts["tags"] == 0
    # Deleting what is not there succeeds, as on AWS.
    source.delete_aggregation_authorization(AuthorizedAccountId=hub, AuthorizedAwsRegion=R1)


def test_authorizations_page_in_order(backend: LiveServer) -> None:
    source = config_client(backend)
    hubs = sorted(new_account() for _ in range(3))
    for hub in reversed(hubs):
        for region in (R2, R1):
            source.put_aggregation_authorization(
                AuthorizedAccountId=hub, AuthorizedAwsRegion=region
            )
    expected = [(hub, region) for hub in hubs for region in sorted((R1, R2))]
    assert authorizations(source, PaginationConfig={"PageSize": 4}) == expected
    first = source.describe_aggregation_authorizations(Limit=4)
    assert len(first["AggregationAuthorizations"]) == 4
    rest = source.describe_aggregation_authorizations(Limit=4, NextToken=first["NextToken"])
    assert len(rest["AggregationAuthorizations"]) == 2 and "NextToken" not in rest
    assert aws_error(
        config_client(backend).describe_aggregation_authorizations, NextToken=first["NextToken"]
    ) == ("InvalidNextTokenException", "The nextToken provided is invalid")
    assert aws_error(source.describe_aggregation_authorizations, Limit=101)[0] == (
        "ValidationException"
    )


BAD_AUTHORIZATIONS: list[tuple[str, dict[str, Any], str, str]] = [
    (
        "a short account id",
        {"AuthorizedAccountId": "12345", "AuthorizedAwsRegion": R1},
        "ValidationException",
        "Member must satisfy regular expression pattern",
    ),
    (
        "an unknown region",
        {"AuthorizedAccountId": "111122223333", "AuthorizedAwsRegion": "moon-east-1"},
        "InvalidParameterValueException",
        "'moon-east-1' is not a valid AWS region",
    ),
    (
        "an empty region",
        {"AuthorizedAccountId": "111122223333", "AuthorizedAwsRegion": ""},
        "ValidationException",
        "Member must have length greater than or equal to 1",
    ),
    (
        "a tag without a key",
        {"AuthorizedAccountId": "111122223333", "AuthorizedAwsRegion": R1, "Tags": [{}]},
        "ValidationException",
        "Member must not be null",
    ),
    (
        "no account",
        {"AuthorizedAwsRegion": R1},
        "ValidationException",
        "Member must not be null",
    ),
]


@pytest.mark.parametrize(
    ("case", "kwargs", "code", "text"),
    BAD_AUTHORIZATIONS,
    ids=[case[0] for case in BAD_AUTHORIZATIONS],
)
def test_bad_authorizations_are_refused_and_write_nothing(
    backend: LiveServer, account: str, case: str, kwargs: dict[str, Any], code: str, text: str
) -> None:
    client = config_client(backend, account, validate=False)
    before = row_counts(backend.db_url, account)
    got, message = aws_error(client.put_aggregation_authorization, **kwargs)
    assert (got, case) == (code, case)
    assert text in message
    assert row_counts(backend.db_url, account) == before


# -- pending requests -----------------------------------------------------------------------


def test_a_named_source_sees_a_request_until_it_authorizes(backend: LiveServer) -> None:
    hub, b, c = new_account(), new_account(), new_account()
    aggregate(config_client(backend, hub, R1), "main", hub, b, c, regions=[R1, R2])
    for source in (b, c):
        for region in (R1, R2):
            assert pending(config_client(backend, source, region)) == [(hub, R1)]
    # The aggregator's own account is asked nothing; an account not named neither.
    assert pending(config_client(backend, hub, R1)) == []
    assert pending(config_client(backend, new_account(), R1)) == []
    # A region the aggregator does not ask for has no request.
    assert pending(config_client(backend, b, "ap-south-1")) == []

    # An aggregator of the same account in another region is another requester.
    aggregate(config_client(backend, hub, R2), "other", b, regions=[R1])
    b1 = config_client(backend, b, R1)
    assert pending(b1) == [(hub, R2), (hub, R1)]  # by account, then region

    b1.put_aggregation_authorization(AuthorizedAccountId=hub, AuthorizedAwsRegion=R1)
    assert pending(b1) == [(hub, R2)]
    assert pending(config_client(backend, b, R2)) == [(hub, R1)]  # authorized in R1 only

    # Revoking the authorization brings the request back.
    b1.delete_aggregation_authorization(AuthorizedAccountId=hub, AuthorizedAwsRegion=R1)
    assert pending(b1) == [(hub, R2), (hub, R1)]  # by account, then region


def test_deleting_a_request_until_the_aggregator_asks_again(backend: LiveServer) -> None:
    hub, b = new_account(), new_account()
    hub_client = config_client(backend, hub, R1)
    aggregate(hub_client, "main", b, regions=[R1])
    source = config_client(backend, b, R1)
    source.delete_pending_aggregation_request(RequesterAccountId=hub, RequesterAwsRegion=R1)
    assert pending(source) == []
    # The aggregator still reports the source as failing.
    [status] = hub_client.describe_configuration_aggregator_sources_status(
        ConfigurationAggregatorName="main"
    )["AggregatedSourceStatusList"]
    assert (status["SourceId"], status["LastUpdateStatus"]) == (b, "FAILED")
    time.sleep(0.01)  # the next put happens strictly later
    aggregate(hub_client, "main", b, regions=[R1])
    assert pending(source) == [(hub, R1)]

    # Deleting a request that is not there succeeds and writes nothing.
    before = row_counts(backend.db_url, b)
    source.delete_pending_aggregation_request(
        RequesterAccountId=new_account(), RequesterAwsRegion=R1
    )
    assert row_counts(backend.db_url, b) == before

    # The aggregator no longer naming the source, or gone, ends the request.
    aggregate(hub_client, "main", new_account(), regions=[R1])
    assert pending(source) == []
    aggregate(hub_client, "main", b, regions=[R1])
    assert pending(source) == [(hub, R1)]
    hub_client.delete_configuration_aggregator(ConfigurationAggregatorName="main")
    assert pending(source) == []


def test_an_all_regions_aggregator_asks_in_every_region(backend: LiveServer) -> None:
    hub, b = new_account(), new_account()
    aggregate(config_client(backend, hub, R1), "main", b)
    for region in (R1, R2, "ap-south-1", "sa-east-1"):
        assert pending(config_client(backend, b, region)) == [(hub, R1)]


def test_pending_requests_page(backend: LiveServer) -> None:
    b = new_account()
    hubs = sorted(new_account() for _ in range(3))
    for hub in hubs:
        aggregate(config_client(backend, hub, R1), "main", b, regions=[R1])
    source = config_client(backend, b, R1)
    pages = []
    token = None
    while True:
        extra = {"NextToken": token} if token else {}
        page = source.describe_pending_aggregation_requests(Limit=1, **extra)
        pages.append(page["PendingAggregationRequests"])
        token = page.get("NextToken")
        if not token:
            break
    assert [[(p["RequesterAccountId"], p["RequesterAwsRegion"]) for p in pg] for pg in pages] == [
        [(hub, R1)] for hub in hubs
    ]
    assert pending(source, PaginationConfig={"PageSize": 2}) == [(hub, R1) for hub in hubs]
    assert aws_error(source.describe_pending_aggregation_requests, Limit=21)[0] == (
        "ValidationException"
    )
    assert aws_error(source.describe_pending_aggregation_requests, NextToken="x" * 40)[0] == (
        "InvalidNextTokenException"
    )
    code, _ = aws_error(
        config_client(backend, validate=False).delete_pending_aggregation_request,
        RequesterAccountId="abc",
        RequesterAwsRegion=R1,
    )
    assert code == "ValidationException"
