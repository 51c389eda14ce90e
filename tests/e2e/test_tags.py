"""Tags on AWS Config's own resources (spec 1.5, 2.13), on the recorder ARN, both stores."""

from __future__ import annotations

import json
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.conftest import ROLE_ARN, LiveServer, config_client, new_account
from tests.helpers import raw_call, row_counts


def error(call: Callable[[], Any]) -> tuple[str, str]:
    """The (code, message) of the ClientError ``call`` raises; it must be an HTTP 400."""
    with pytest.raises(ClientError) as caught:
        call()
    response = caught.value.response
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert response["Error"]["Message"]
    return response["Error"]["Code"], response["Error"]["Message"]


def make_recorder(client: Any, tags: dict[str, str] | None = None) -> str:
    """Create the recorder ``default`` and return its ARN."""
    extra = {"Tags": [{"Key": k, "Value": v} for k, v in tags.items()]} if tags else {}
    client.put_configuration_recorder(
        ConfigurationRecorder={"name": "default", "roleARN": ROLE_ARN}, **extra
    )
    return client.describe_configuration_recorders()["ConfigurationRecorders"][0]["arn"]  # type: ignore[no-any-return]


def tags_of(client: Any, arn: str) -> dict[str, str]:
    """Every tag of ``arn``, following NextToken; a key seen twice fails the test."""
    found: dict[str, str] = {}
    request: dict[str, Any] = {"ResourceArn": arn}
    while True:
        page = client.list_tags_for_resource(**request)
        for tag in page["Tags"]:
            assert tag["Key"] not in found, f"tag {tag['Key']} listed twice"
            found[tag["Key"]] = tag["Value"]
        if "NextToken" not in page:
            return found
        request["NextToken"] = page["NextToken"]


def as_list(tags: dict[str, str]) -> list[dict[str, str]]:
    return [{"Key": k, "Value": v} for k, v in tags.items()]


def one_error(text: str) -> str:
    return "1 validation error detected: " + text


@pytest.fixture
def arn(config: Any) -> str:
    return make_recorder(config)


# -- TagResource / UntagResource / ListTagsForResource ----------------------------------


def test_tag_list_and_untag_the_recorder(config: Any, arn: str) -> None:
    assert config.list_tags_for_resource(ResourceArn=arn)["Tags"] == []
    config.tag_resource(ResourceArn=arn, Tags=as_list({"team": "platform", "env": "prod"}))
    listed = config.list_tags_for_resource(ResourceArn=arn)
    assert sorted(listed["Tags"], key=lambda t: t["Key"]) == [
        {"Key": "env", "Value": "prod"},
        {"Key": "team", "Value": "platform"},
    ]
    assert "NextToken" not in listed
    config.untag_resource(ResourceArn=arn, TagKeys=["env", "not-there"])
    assert tags_of(config, arn) == {"team": "platform"}


def test_tagging_again_updates_given_keys_and_keeps_the_others(config: Any, arn: str) -> None:
    config.tag_resource(ResourceArn=arn, Tags=as_list({"a": "1", "b": "2"}))
    config.tag_resource(ResourceArn=arn, Tags=as_list({"b": "20", "c": "30"}))
    assert tags_of(config, arn) == {"a": "1", "b": "20", "c": "30"}


def test_a_tag_value_may_be_empty_or_absent(backend: LiveServer, account: str) -> None:
    client = config_client(backend, account, validate=False)
    arn = make_recorder(client)
    client.tag_resource(ResourceArn=arn, Tags=[{"Key": "empty", "Value": ""}, {"Key": "none"}])
    assert tags_of(client, arn) == {"empty": "", "none": ""}


def test_tags_given_at_creation_are_listed(config: Any) -> None:
    arn = make_recorder(config, {"owner": "me"})
    assert tags_of(config, arn) == {"owner": "me"}


UNKNOWN_ARNS = {
    "never-existed": "arn:aws:config:us-east-1:{account}:configuration-recorder/x/abcdefghijklmnop",
    "not-an-arn": "recorder",
    "other-resource-kind": "arn:aws:config:us-east-1:{account}:config-rule/config-rule-abcdef",
    "other-service": "arn:aws:s3:::bucket",
}


@pytest.mark.parametrize("template", UNKNOWN_ARNS.values(), ids=UNKNOWN_ARNS.keys())
@pytest.mark.parametrize("operation", ["tag", "untag", "list"])
def test_an_unknown_arn_is_resource_not_found(
    config: Any, backend: LiveServer, account: str, arn: str, template: str, operation: str
) -> None:
    unknown = template.format(account=account)
    calls = {
        "tag": lambda: config.tag_resource(ResourceArn=unknown, Tags=as_list({"k": "v"})),
        "untag": lambda: config.untag_resource(ResourceArn=unknown, TagKeys=["k"]),
        "list": lambda: config.list_tags_for_resource(ResourceArn=unknown),
    }
    before = row_counts(backend.db_url, account)
    code, message = error(calls[operation])
    assert code == "ResourceNotFoundException"
    assert message == f"ResourceArn '{unknown}' does not exist"
    assert row_counts(backend.db_url, account) == before


@pytest.mark.parametrize("operation", ["tag", "untag", "list"])
def test_the_recorder_arn_of_another_account_or_region_is_resource_not_found(
    backend: LiveServer, operation: str
) -> None:
    owner_account = new_account()
    owner = config_client(backend, owner_account)
    arn = make_recorder(owner, {"k": "v"})
    for stranger in (
        config_client(backend, new_account()),
        config_client(backend, owner_account, region="eu-west-1"),
    ):
        make_recorder(stranger)  # it has a recorder of its own, with another ARN
        calls = {
            "tag": partial(stranger.tag_resource, ResourceArn=arn, Tags=as_list({"k": "x"})),
            "untag": partial(stranger.untag_resource, ResourceArn=arn, TagKeys=["k"]),
            "list": partial(stranger.list_tags_for_resource, ResourceArn=arn),
        }
        code, message = error(calls[operation])
        assert code == "ResourceNotFoundException"
        assert message == f"ResourceArn '{arn}' does not exist"
    assert tags_of(owner, arn) == {"k": "v"}


def test_more_than_50_tags_on_one_resource_is_too_many_tags(
    config: Any, backend: LiveServer, account: str, arn: str
) -> None:
    config.tag_resource(ResourceArn=arn, Tags=as_list({f"k{i:02}": "v" for i in range(30)}))
    before = row_counts(backend.db_url, account)
    code, _ = error(
        lambda: config.tag_resource(
            ResourceArn=arn, Tags=as_list({f"n{i:02}": "v" for i in range(21)})
        )
    )
    assert code == "TooManyTagsException"
    assert row_counts(backend.db_url, account) == before
    assert len(tags_of(config, arn)) == 30
    # Exactly 50 is fine, and so is updating keys the resource already has.
    config.tag_resource(ResourceArn=arn, Tags=as_list({f"n{i:02}": "v" for i in range(20)}))
    config.tag_resource(ResourceArn=arn, Tags=as_list({"k00": "new", "n00": "new"}))
    found = tags_of(config, arn)
    assert len(found) == 50
    assert (found["k00"], found["n00"]) == ("new", "new")


def test_tags_given_at_creation_count_towards_the_limit(config: Any) -> None:
    arn = make_recorder(config, {f"c{i:02}": "v" for i in range(45)})
    code, _ = error(
        lambda: config.tag_resource(ResourceArn=arn, Tags=as_list({f"n{i}": "v" for i in range(6)}))
    )
    assert code == "TooManyTagsException"
    assert len(tags_of(config, arn)) == 45


def test_more_than_50_tags_in_one_request_is_a_validation_error(
    backend: LiveServer, account: str
) -> None:
    client = config_client(backend, account, validate=False)
    arn = make_recorder(client)
    before = row_counts(backend.db_url, account)
    code, message = error(
        lambda: client.tag_resource(
            ResourceArn=arn, Tags=as_list({f"k{i:02}": "v" for i in range(51)})
        )
    )
    assert code == "ValidationException"
    assert message.startswith("1 validation error detected: ")
    assert "at 'tags' failed to satisfy constraint: Member must have length less than or " in (
        message
    )
    assert row_counts(backend.db_url, account) == before


def test_list_pages_with_limit_and_returns_every_tag_exactly_once(config: Any, arn: str) -> None:
    expected = {f"key-{i:02}": f"value-{i}" for i in range(45)}
    config.tag_resource(
        ResourceArn=arn, Tags=as_list({k: expected[k] for k in list(expected)[:40]})
    )
    config.tag_resource(
        ResourceArn=arn, Tags=as_list({k: expected[k] for k in list(expected)[40:]})
    )
    seen: list[dict[str, str]] = []
    sizes = []
    request: dict[str, Any] = {"ResourceArn": arn, "Limit": 10}
    while True:
        page = config.list_tags_for_resource(**request)
        sizes.append(len(page["Tags"]))
        seen.extend(page["Tags"])
        if "NextToken" not in page:
            break
        request["NextToken"] = page["NextToken"]
    assert sizes == [10, 10, 10, 10, 5]
    assert len(seen) == 45
    assert {t["Key"]: t["Value"] for t in seen} == expected
    # Limit 0 (or none) means the default page of up to 50: all 45 at once.
    for request in ({"Limit": 0}, {}):
        page = config.list_tags_for_resource(ResourceArn=arn, **request)
        assert len(page["Tags"]) == 45
        assert "NextToken" not in page


def test_a_token_is_good_only_for_the_listing_it_came_from(
    config: Any, backend: LiveServer, arn: str
) -> None:
    config.tag_resource(ResourceArn=arn, Tags=as_list({f"k{i}": "v" for i in range(3)}))
    token = config.list_tags_for_resource(ResourceArn=arn, Limit=1)["NextToken"]
    code, message = error(
        lambda: config.list_tags_for_resource(ResourceArn=arn, NextToken=token + "x")
    )
    assert code == "InvalidNextTokenException"
    assert message == "The nextToken provided is invalid"
    code, _ = error(lambda: config.list_tags_for_resource(ResourceArn=arn, NextToken="forged"))
    assert code == "InvalidNextTokenException"
    # The same account's recorder in another region is another resource.
    west = config_client(backend, arn.split(":")[4], region="eu-west-1")
    west_arn = make_recorder(west, {"a": "1", "b": "2"})
    code, _ = error(lambda: west.list_tags_for_resource(ResourceArn=west_arn, NextToken=token))
    assert code == "InvalidNextTokenException"


def test_a_limit_above_50_is_invalid_limit(config: Any, arn: str) -> None:
    code, message = error(lambda: config.list_tags_for_resource(ResourceArn=arn, Limit=51))
    assert code == "InvalidLimitException"
    assert "51" in message


def test_deleting_the_recorder_removes_its_tags(
    config: Any, backend: LiveServer, account: str
) -> None:
    arn = make_recorder(config, {"created": "yes"})
    config.tag_resource(ResourceArn=arn, Tags=as_list({"later": "yes"}))
    assert row_counts(backend.db_url, account)["tags"] == 2
    config.delete_configuration_recorder(ConfigurationRecorderName="default")
    assert row_counts(backend.db_url, account)["tags"] == 0
    code, _ = error(lambda: config.list_tags_for_resource(ResourceArn=arn))
    assert code == "ResourceNotFoundException"
    # A recorder created again under the same name is a new resource, without the old tags.
    new_arn = make_recorder(config)
    assert new_arn != arn
    assert tags_of(config, new_arn) == {}


# -- bad input ---------------------------------------------------------------------------

ARN = "<the recorder's ARN>"  # replaced by the real one in each request

BAD_INPUT: dict[str, tuple[str, dict[str, Any], str, str | None]] = {
    "tag-missing-arn": (
        "TagResource",
        {"Tags": [{"Key": "k", "Value": "v"}]},
        "ValidationException",
        one_error(
            "Value null at 'resourceArn' failed to satisfy constraint: Member must not be null"
        ),
    ),
    "tag-missing-tags": (
        "TagResource",
        {"ResourceArn": ARN},
        "ValidationException",
        one_error("Value null at 'tags' failed to satisfy constraint: Member must not be null"),
    ),
    "tag-empty-tags": (
        "TagResource",
        {"ResourceArn": ARN, "Tags": []},
        "ValidationException",
        one_error(
            "Value '[]' at 'tags' failed to satisfy constraint: "
            "Member must have length greater than or equal to 1"
        ),
    ),
    "tag-tags-wrong-type": (
        "TagResource",
        {"ResourceArn": ARN, "Tags": {"k": "v"}},
        "SerializationException",
        None,
    ),
    "tag-value-wrong-type": (
        "TagResource",
        {"ResourceArn": ARN, "Tags": [{"Key": "k", "Value": 1}]},
        "SerializationException",
        "NUMBER_VALUE can not be converted to a String",
    ),
    "tag-key-missing": (
        "TagResource",
        {"ResourceArn": ARN, "Tags": [{"Key": "ok", "Value": "v"}, {"Value": "v"}]},
        "ValidationException",
        one_error(
            "Value null at 'tags.2.member.key' failed to satisfy constraint: "
            "Member must not be null"
        ),
    ),
    "tag-key-too-long": (
        "TagResource",
        {"ResourceArn": ARN, "Tags": [{"Key": "k" * 129, "Value": "v"}]},
        "ValidationException",
        one_error(
            f"Value '{'k' * 129}' at 'tags.1.member.key' failed to satisfy constraint: "
            "Member must have length less than or equal to 128"
        ),
    ),
    "tag-value-too-long": (
        "TagResource",
        {"ResourceArn": ARN, "Tags": [{"Key": "k", "Value": "v" * 257}]},
        "ValidationException",
        None,
    ),
    "tag-arn-too-long": (
        "TagResource",
        {"ResourceArn": "a" * 1001, "Tags": [{"Key": "k", "Value": "v"}]},
        "ValidationException",
        None,
    ),
    "untag-missing-keys": (
        "UntagResource",
        {"ResourceArn": ARN},
        "ValidationException",
        one_error("Value null at 'tagKeys' failed to satisfy constraint: Member must not be null"),
    ),
    "untag-keys-wrong-type": (
        "UntagResource",
        {"ResourceArn": ARN, "TagKeys": "k"},
        "SerializationException",
        None,
    ),
    "untag-key-too-long": (
        "UntagResource",
        {"ResourceArn": ARN, "TagKeys": ["k" * 129]},
        "ValidationException",
        None,
    ),
    "untag-too-many-keys": (
        "UntagResource",
        {"ResourceArn": ARN, "TagKeys": [f"k{i}" for i in range(51)]},
        "ValidationException",
        None,
    ),
    "list-missing-arn": (
        "ListTagsForResource",
        {},
        "ValidationException",
        one_error(
            "Value null at 'resourceArn' failed to satisfy constraint: Member must not be null"
        ),
    ),
    "list-limit-wrong-type": (
        "ListTagsForResource",
        {"ResourceArn": ARN, "Limit": "10"},
        "SerializationException",
        "STRING_VALUE can not be converted to an Integer",
    ),
    "list-limit-above-model-maximum": (
        "ListTagsForResource",
        {"ResourceArn": ARN, "Limit": 101},
        "ValidationException",
        one_error(
            "Value '101' at 'limit' failed to satisfy constraint: "
            "Member must have value less than or equal to 100"
        ),
    ),
    "list-arn-too-long": (
        "ListTagsForResource",
        {"ResourceArn": "a" * 1001},
        "ValidationException",
        None,
    ),
}


@pytest.mark.parametrize(
    ("target", "body", "code", "message"), BAD_INPUT.values(), ids=BAD_INPUT.keys()
)
def test_bad_input_is_refused_with_aws_errors_and_writes_nothing(
    backend: LiveServer,
    account: str,
    target: str,
    body: dict[str, Any],
    code: str,
    message: str | None,
) -> None:
    client = config_client(backend, account)
    arn = make_recorder(client, {"k": "v"})
    raw = json.dumps(body).replace(json.dumps(ARN), json.dumps(arn))
    before = row_counts(backend.db_url, account)
    status, payload, _ = raw_call(backend.url, target, raw, access_key=account)
    assert status == 400
    assert payload["__type"] == code
    assert payload["message"]
    if message is not None:
        assert payload["message"] == message
    assert row_counts(backend.db_url, account) == before
    assert tags_of(client, arn) == {"k": "v"}


# -- concurrency -------------------------------------------------------------------------


def test_concurrent_tagging_never_passes_50_tags(backend: LiveServer, account: str) -> None:
    client = config_client(backend, account)
    arn = make_recorder(client)

    def tag(index: int) -> tuple[int, dict[str, Any]]:
        body = {"ResourceArn": arn, "Tags": as_list({f"t{index}-{i}": "v" for i in range(10)})}
        status, payload, _ = raw_call(
            backend.url, "TagResource", json.dumps(body), access_key=account
        )
        return status, payload

    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(tag, range(8)))
    assert [status for status, _ in results].count(200) == 5
    assert {p["__type"] for s, p in results if s != 200} == {"TooManyTagsException"}
    assert len(tags_of(client, arn)) == 50
