"""PutConfigurationAggregator, DescribeConfigurationAggregators, DeleteConfigurationAggregator
on both stores: shapes, updates, tags, AWS's refusals and quotas (spec 2.9, 9.3, 10.1).

Every refusal is checked twice: AWS's error, and ``row_counts`` showing nothing written.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import botocore.auth
import pytest
from botocore.exceptions import ClientError

from configledger.clock import FrozenClock
from tests.conftest import (
    LiveServer,
    config_client,
    new_account,
    own_server,
)
from tests.helpers import row_counts

R1, R2 = "us-east-1", "eu-west-1"
ARN_PATTERN = r"^arn:aws:config:us-east-1:\d{12}:config-aggregator/config-aggregator-[a-z]{8}$"


def aws_error(call: Callable[..., Any], **kwargs: Any) -> tuple[str, str]:
    with pytest.raises(ClientError) as info:
        call(**kwargs)
    assert info.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    error = info.value.response["Error"]
    assert error["Message"]
    return error["Code"], error["Message"]


def sources(*accounts: str, regions: list[str] | None = None) -> list[dict[str, Any]]:
    if regions is None:
        return [{"AccountIds": list(accounts), "AllAwsRegions": True}]
    return [{"AccountIds": list(accounts), "AwsRegions": regions}]


def put(client: Any, name: str, *accounts: str, **kwargs: Any) -> dict[str, Any]:
    kwargs.setdefault("AccountAggregationSources", sources(*accounts, regions=[R1]))
    reply: dict[str, Any] = client.put_configuration_aggregator(
        ConfigurationAggregatorName=name, **kwargs
    )
    return reply["ConfigurationAggregator"]  # type: ignore[no-any-return]


def describe(client: Any, **kwargs: Any) -> list[dict[str, Any]]:
    pages = client.get_paginator("describe_configuration_aggregators").paginate(**kwargs)
    return [a for page in pages for a in page["ConfigurationAggregators"]]


def test_put_describe_update_and_delete(config: Any, backend: LiveServer, account: str) -> None:
    source = new_account()
    created = put(
        config,
        "main",
        account,
        source,
        AccountAggregationSources=sources(account, source, regions=[R1, R2]),
    )
    assert created["ConfigurationAggregatorName"] == "main"
    assert created["ConfigurationAggregatorArn"].startswith(
        f"arn:aws:config:{R1}:{account}:config-aggregator/config-aggregator-"
    )
    assert re.match(ARN_PATTERN, created["ConfigurationAggregatorArn"])
    assert created["AccountAggregationSources"] == [
        {"AccountIds": [account, source], "AllAwsRegions": False, "AwsRegions": [R1, R2]}
    ]
    assert created["CreationTime"] == created["LastUpdatedTime"]
    assert "AggregatorFilters" not in created and "OrganizationAggregationSource" not in created
    assert describe(config) == [created]

    # A put of the same name updates it: same ARN and creation time, sources replaced.
    other = new_account()
    updated = put(
        config,
        "main",
        AccountAggregationSources=sources(other, other, account),  # duplicates collapse
        AggregatorFilters={"ResourceType": {"Type": "INCLUDE", "Value": ["AWS::S3::Bucket"]}},
    )
    assert updated["ConfigurationAggregatorArn"] == created["ConfigurationAggregatorArn"]
    assert updated["CreationTime"] == created["CreationTime"]
    assert updated["LastUpdatedTime"] >= created["LastUpdatedTime"]
    assert updated["AccountAggregationSources"] == [
        {"AccountIds": [other, account], "AllAwsRegions": True}
    ]
    assert updated["AggregatorFilters"] == {
        "ResourceType": {"Type": "INCLUDE", "Value": ["AWS::S3::Bucket"]}
    }
    assert describe(config, ConfigurationAggregatorNames=["main"]) == [updated]

    config.delete_configuration_aggregator(ConfigurationAggregatorName="main")
    assert describe(config) == []
    assert row_counts(backend.db_url, account)["aggregators"] == 0
    assert row_counts(backend.db_url, account)["aggregator_accounts"] == 0
    code, message = aws_error(
        config.delete_configuration_aggregator, ConfigurationAggregatorName="main"
    )
    assert code == "NoSuchConfigurationAggregatorException"
    assert message == (
        "The configuration aggregator does not exist. Check the configuration aggregator "
        "name and try again."
    )


def test_aggregators_are_per_account_and_region(backend: LiveServer, account: str) -> None:
    here = config_client(backend, account, R1)
    put(here, "main", account)
    assert describe(config_client(backend, account, R2)) == []
    assert describe(config_client(backend, new_account(), R1)) == []
    # The same name in another region is another aggregator.
    there = put(config_client(backend, account, R2), "main", account)
    assert there["ConfigurationAggregatorArn"].split(":")[3] == R2
    assert len(describe(here)) == 1


def test_describe_by_names_and_pages(config: Any) -> None:
    for n in range(5):
        put(config, f"agg-{n}", new_account())
    names = [
        a["ConfigurationAggregatorName"] for a in describe(config, PaginationConfig={"PageSize": 2})
    ]
    assert names == [f"agg-{n}" for n in range(5)]
    first = config.describe_configuration_aggregators(Limit=2)
    assert len(first["ConfigurationAggregators"]) == 2 and first["NextToken"]
    assert [
        a["ConfigurationAggregatorName"]
        for a in config.describe_configuration_aggregators(
            ConfigurationAggregatorNames=["agg-3", "agg-1"]
        )["ConfigurationAggregators"]
    ] == ["agg-1", "agg-3"]
    code, message = aws_error(
        config.describe_configuration_aggregators, ConfigurationAggregatorNames=["agg-1", "nope"]
    )
    assert code == "NoSuchConfigurationAggregatorException"
    assert message.startswith("At least one of the configuration aggregators does not exist")
    assert (
        aws_error(config.describe_configuration_aggregators, ConfigurationAggregatorNames=["nope"])[
            0
        ]
        == "NoSuchConfigurationAggregatorException"
    )
    assert (
        aws_error(
            config.describe_configuration_aggregators,
            ConfigurationAggregatorNames=[f"agg-{n}" for n in range(11)],
        )[0]
        == "ValidationException"
    )
    assert aws_error(config.describe_configuration_aggregators, NextToken="forged") == (
        "InvalidNextTokenException",
        "The nextToken provided is invalid",
    )
    # A token of the unfiltered listing does not serve a filtered one.
    assert (
        aws_error(
            config.describe_configuration_aggregators,
            ConfigurationAggregatorNames=["agg-1"],
            NextToken=first["NextToken"],
        )[0]
        == "InvalidNextTokenException"
    )
    assert aws_error(config.describe_configuration_aggregators, Limit=101)[0] == (
        "ValidationException"
    )


BAD_PUTS: list[tuple[str, dict[str, Any], str, str]] = [
    (
        "both sources",
        {
            "AccountAggregationSources": sources("111122223333"),
            "OrganizationAggregationSource": {
                "RoleArn": "arn:aws:iam::111122223333:role/org",
                "AllAwsRegions": True,
            },
        },
        "InvalidParameterValueException",
        "contains both the AccountAggregationSource and the OrganizationAggregationSource",
    ),
    (
        "no source",
        {},
        "InvalidParameterValueException",
        "is missing either the AccountAggregationSource or the OrganizationAggregationSource",
    ),
    (
        "an empty source list",
        {"AccountAggregationSources": []},
        "InvalidParameterValueException",
        "is missing either",
    ),
    (
        "regions and all regions",
        {
            "AccountAggregationSources": [
                {"AccountIds": ["111122223333"], "AwsRegions": [R1], "AllAwsRegions": True}
            ]
        },
        "InvalidParameterValueException",
        "contains a list of regions and also specifies the use of all regions",
    ),
    (
        "no regions",
        {"AccountAggregationSources": [{"AccountIds": ["111122223333"]}]},
        "InvalidParameterValueException",
        "does not specify any regions",
    ),
    (
        "all regions false",
        {"AccountAggregationSources": [{"AccountIds": ["111122223333"], "AllAwsRegions": False}]},
        "InvalidParameterValueException",
        "does not specify any regions",
    ),
    (
        "an unknown region",
        {"AccountAggregationSources": sources("111122223333", regions=[R1, "moon-east-1"])},
        "InvalidParameterValueException",
        "'moon-east-1' is not a valid AWS region",
    ),
    (
        "two sources",
        {"AccountAggregationSources": sources("111122223333") + sources("444455556666")},
        "ValidationException",
        "Member must have length less than or equal to 1",
    ),
    (
        "a malformed account id",
        {"AccountAggregationSources": sources("12345")},
        "ValidationException",
        "Member must satisfy regular expression pattern",
    ),
    (
        "no account ids",
        {"AccountAggregationSources": [{"AccountIds": [], "AllAwsRegions": True}]},
        "ValidationException",
        "Member must have length greater than or equal to 1",
    ),
    (
        "empty filters",
        {"AccountAggregationSources": sources("111122223333"), "AggregatorFilters": {}},
        "InvalidParameterValueException",
        "AggregatorFilters must contain a ResourceType or a ServicePrincipal filter",
    ),
    (
        "a filter of another type",
        {
            "AccountAggregationSources": sources("111122223333"),
            "AggregatorFilters": {
                "ResourceType": {"Type": "EXCLUDE", "Value": ["AWS::S3::Bucket"]}
            },
        },
        "ValidationException",
        "Member must satisfy enum value set: [INCLUDE]",
    ),
    (
        "a tag without a key",
        {"AccountAggregationSources": sources("111122223333"), "Tags": [{"Value": "v"}]},
        "ValidationException",
        "Member must not be null",
    ),
    (
        "51 tags",
        {
            "AccountAggregationSources": sources("111122223333"),
            "Tags": [{"Key": f"k{n}", "Value": "v"} for n in range(51)],
        },
        "ValidationException",
        "Member must have length less than or equal to 50",
    ),
    (
        "an organization source outside an organization",
        {
            "OrganizationAggregationSource": {
                "RoleArn": "arn:aws:iam::111122223333:role/org",
                "AllAwsRegions": True,
            }
        },
        "NoAvailableOrganizationException",
        "Organization is not available",
    ),
    (
        "an organization source with a bad role",
        {"OrganizationAggregationSource": {"RoleArn": "not-a-role", "AwsRegions": [R1]}},
        "InvalidRoleException",
        "The role ARN 'not-a-role' is not valid",
    ),
    (
        "an organization source without regions",
        {"OrganizationAggregationSource": {"RoleArn": "arn:aws:iam::111122223333:role/org"}},
        "InvalidParameterValueException",
        "does not specify any regions",
    ),
]


@pytest.mark.parametrize(
    ("case", "kwargs", "code", "text"), BAD_PUTS, ids=[case[0] for case in BAD_PUTS]
)
def test_bad_puts_are_refused_and_write_nothing(
    backend: LiveServer, account: str, case: str, kwargs: dict[str, Any], code: str, text: str
) -> None:
    client = config_client(backend, account, validate=False)
    before = row_counts(backend.db_url, account)
    got, message = aws_error(
        client.put_configuration_aggregator, ConfigurationAggregatorName="agg", **kwargs
    )
    assert (got, case) == (code, case)
    assert text in message
    assert row_counts(backend.db_url, account) == before
    assert describe(client) == []


@pytest.mark.parametrize("name", ["has space", "semi;colon", "x" * 257, ""])
def test_bad_names_are_refused(server: LiveServer, name: str) -> None:
    client = config_client(server, validate=False)
    code, _ = aws_error(
        client.put_configuration_aggregator,
        ConfigurationAggregatorName=name,
        AccountAggregationSources=sources("111122223333"),
    )
    assert code == "ValidationException"


def test_a_bad_update_leaves_the_aggregator_as_it_was(config: Any) -> None:
    before = put(config, "main", "111122223333")
    code, _ = aws_error(
        config.put_configuration_aggregator,
        ConfigurationAggregatorName="main",
        AccountAggregationSources=sources("444455556666", regions=["nowhere-1"]),
    )
    assert code == "InvalidParameterValueException"
    assert describe(config) == [before]


def test_tags_apply_at_creation_and_through_the_tag_operations(config: Any) -> None:
    arn = put(config, "main", "111122223333", Tags=[{"Key": "team", "Value": "sec"}])[
        "ConfigurationAggregatorArn"
    ]
    assert config.list_tags_for_resource(ResourceArn=arn)["Tags"] == [
        {"Key": "team", "Value": "sec"}
    ]
    put(config, "main", "111122223333", Tags=[{"Key": "team", "Value": "ops"}])  # ignored
    assert config.list_tags_for_resource(ResourceArn=arn)["Tags"] == [
        {"Key": "team", "Value": "sec"}
    ]
    config.tag_resource(ResourceArn=arn, Tags=[{"Key": "env", "Value": "prod"}])
    config.untag_resource(ResourceArn=arn, TagKeys=["team"])
    assert config.list_tags_for_resource(ResourceArn=arn)["Tags"] == [
        {"Key": "env", "Value": "prod"}
    ]
    code, _ = aws_error(
        config.tag_resource,
        ResourceArn=arn,
        Tags=[{"Key": f"k{n}", "Value": "v"} for n in range(50)],
    )
    assert code == "TooManyTagsException"
    config.delete_configuration_aggregator(ConfigurationAggregatorName="main")
    code, message = aws_error(config.list_tags_for_resource, ResourceArn=arn)
    assert (code, message) == ("ResourceNotFoundException", f"ResourceArn '{arn}' does not exist")
    # A recreated aggregator of the same name has a new ARN and no tags.
    again = put(config, "main", "111122223333")["ConfigurationAggregatorArn"]
    assert again != arn
    assert config.list_tags_for_resource(ResourceArn=again)["Tags"] == []
    code, _ = aws_error(
        config.tag_resource,
        ResourceArn=arn.replace("config-aggregator-", "config-aggregator-x"),
        Tags=[{"Key": "k", "Value": "v"}],
    )
    assert code == "ResourceNotFoundException"


def test_at_most_50_aggregators(config: Any, backend: LiveServer, account: str) -> None:
    for n in range(50):
        put(config, f"agg-{n:02d}", "111122223333")
    before = row_counts(backend.db_url, account)
    code, message = aws_error(
        config.put_configuration_aggregator,
        ConfigurationAggregatorName="one-more",
        AccountAggregationSources=sources("111122223333"),
    )
    assert code == "LimitExceededException"
    assert "maximum number of configuration aggregators: 50" in message
    assert row_counts(backend.db_url, account) == before
    put(config, "agg-07", "444455556666")  # updating one is still allowed
    config.delete_configuration_aggregator(ConfigurationAggregatorName="agg-00")
    put(config, "one-more", "111122223333")


def test_at_most_10000_accounts_per_aggregator(
    config: Any, backend: LiveServer, account: str
) -> None:
    accounts = [f"{100000000000 + n}" for n in range(10_001)]
    code, message = aws_error(
        config.put_configuration_aggregator,
        ConfigurationAggregatorName="big",
        AccountAggregationSources=sources(*accounts),
    )
    assert code == "LimitExceededException"
    assert "10001 source accounts" in message and "10000" in message
    assert row_counts(backend.db_url, account)["aggregators"] == 0


# -- the weekly quota on account changes, on a server whose clock the test moves ---------------

T0 = 1_700_000_000_000
DAY = 86_400_000


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def frozen_server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[LiveServer, FrozenClock]]:
    clock = FrozenClock(T0)
    with own_server(request.param, tmp_path_factory.mktemp("frozen"), clock) as server:
        yield server, clock


@pytest.fixture
def frozen(
    frozen_server: tuple[LiveServer, FrozenClock], account: str, monkeypatch: pytest.MonkeyPatch
) -> tuple[Any, FrozenClock]:
    """A client of a fresh account on the frozen server, signing at the server's time."""
    server, clock = frozen_server

    def server_time(remove_tzinfo: bool = True) -> datetime:
        moment = datetime.fromtimestamp(clock.now_ms() / 1000, tz=UTC)
        return moment.replace(tzinfo=None) if remove_tzinfo else moment

    monkeypatch.setattr(botocore.auth, "get_current_datetime", server_time)
    return config_client(server, account), clock


def test_at_most_1000_account_changes_a_week(
    frozen: tuple[Any, FrozenClock],
    frozen_server: tuple[LiveServer, FrozenClock],
    account: str,
) -> None:
    client, clock = frozen
    accounts = [f"{200000000000 + n}" for n in range(1000)]
    first = put(client, "first", AccountAggregationSources=sources(*accounts))
    assert first["CreationTime"].timestamp() == T0 / 1000
    clock.advance(DAY)
    code, message = aws_error(
        client.put_configuration_aggregator,
        ConfigurationAggregatorName="second",
        AccountAggregationSources=sources("111122223333"),
    )
    assert code == "LimitExceededException"
    assert "1000 were added or removed in the last 7 days" in message
    # Replacing one account is two changes (one removed, one added): refused too.
    code, _ = aws_error(
        client.put_configuration_aggregator,
        ConfigurationAggregatorName="first",
        AccountAggregationSources=sources(*accounts[1:], "111122223333"),
    )
    assert code == "LimitExceededException"
    # The same accounts again change nothing: allowed, and regions may change.
    put(client, "first", AccountAggregationSources=sources(*accounts, regions=[R2]))
    clock.advance(6 * DAY - 1)  # a millisecond short of 7 days after the first put
    assert (
        aws_error(
            client.put_configuration_aggregator,
            ConfigurationAggregatorName="second",
            AccountAggregationSources=sources("111122223333"),
        )[0]
        == "LimitExceededException"
    )
    clock.advance(1)
    second = put(client, "second", AccountAggregationSources=sources("111122223333"))
    assert second["CreationTime"].timestamp() == (T0 + 7 * DAY) / 1000
    # The log of changes keeps one week: the first put's 1,000 are forgotten.
    assert row_counts(frozen_server[0].db_url, account)["aggregator_account_changes"] == 1
