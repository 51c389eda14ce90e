"""Configuration recorder operations end to end (spec 2.1, 5): boto3 over HTTP, both stores."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any

import botocore.session
import pytest
from botocore.exceptions import ClientError

from tests.conftest import ROLE_ARN, LiveServer, config_client, new_account, start_recording
from tests.helpers import raw_call, row_counts

RESOURCE_TYPE_VALUES = (
    botocore.session.get_session().get_service_model("config").shape_for("ResourceType").enum
)
# A list of enum strings fails as a whole, its element constraint wrapped (Coral's form).
RESOURCE_TYPE_ENUM = (
    "Member must satisfy constraint: [Member must satisfy enum value set: ["
    + ", ".join(RESOURCE_TYPE_VALUES)
    + "]]"
)

DEFAULT_GROUP = {
    "allSupported": True,
    "includeGlobalResourceTypes": False,
    "resourceTypes": [],
    "exclusionByResourceTypes": {"resourceTypes": []},
    "recordingStrategy": {"useOnly": "ALL_SUPPORTED_RESOURCE_TYPES"},
}
RECORDER = {"name": "default", "roleARN": ROLE_ARN}
DEFAULT_MODE = {"recordingFrequency": "CONTINUOUS", "recordingModeOverrides": []}
ARN = re.compile(
    r"^arn:aws:config:(?P<region>[a-z0-9-]+):(?P<account>\d{12}):"
    r"configuration-recorder/(?P<name>[^/]+)/[a-z0-9]{16}$"
)


def error(call: Callable[[], Any]) -> tuple[str, str]:
    """The (code, message) of the ClientError ``call`` raises; it must be an HTTP 400."""
    with pytest.raises(ClientError) as caught:
        call()
    response = caught.value.response
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert response["Error"]["Message"]
    return response["Error"]["Code"], response["Error"]["Message"]


def put(client: Any, name: str = "default", **fields: Any) -> None:
    client.put_configuration_recorder(
        ConfigurationRecorder={"name": name, "roleARN": ROLE_ARN, **fields}
    )


def recorders(client: Any, **filters: Any) -> list[dict[str, Any]]:
    return client.describe_configuration_recorders(**filters)["ConfigurationRecorders"]  # type: ignore[no-any-return]


def status(client: Any, name: str = "default") -> dict[str, Any]:
    found = client.describe_configuration_recorder_status(ConfigurationRecorderNames=[name])
    [only] = found["ConfigurationRecordersStatus"]
    return only  # type: ignore[no-any-return]


def one_error(text: str) -> str:
    return "1 validation error detected: " + text


# -- PutConfigurationRecorder -----------------------------------------------------------


def test_put_creates_the_recorder_and_describe_echoes_every_field_with_defaults(
    config: Any, account: str
) -> None:
    assert recorders(config) == []
    put(config)
    [recorder] = recorders(config)
    match = ARN.match(recorder["arn"])
    assert match is not None, recorder["arn"]
    assert (match["region"], match["account"], match["name"]) == ("us-east-1", account, "default")
    assert recorder["name"] == "default"
    assert recorder["roleARN"] == ROLE_ARN
    assert recorder["recordingGroup"] == DEFAULT_GROUP
    assert recorder["recordingMode"] == DEFAULT_MODE
    assert recorder["recordingScope"] == "PAID"


def test_put_without_a_name_creates_the_recorder_named_default(config: Any) -> None:
    config.put_configuration_recorder(ConfigurationRecorder={"roleARN": ROLE_ARN})
    assert [r["name"] for r in recorders(config)] == ["default"]


def test_put_with_the_same_name_updates_in_place_and_keeps_the_arn(config: Any) -> None:
    put(config, "main")
    [before] = recorders(config)
    other_role = "arn:aws:iam::123456789012:role/other"
    config.put_configuration_recorder(
        ConfigurationRecorder={
            "name": "main",
            "roleARN": other_role,
            "recordingGroup": {"allSupported": False, "resourceTypes": ["AWS::EC2::Instance"]},
            "recordingMode": {"recordingFrequency": "DAILY"},
        }
    )
    [after] = recorders(config)
    assert after["arn"] == before["arn"]
    assert after["roleARN"] == other_role
    assert after["recordingGroup"] == {
        "allSupported": False,
        "includeGlobalResourceTypes": False,
        "resourceTypes": ["AWS::EC2::Instance"],
        "exclusionByResourceTypes": {"resourceTypes": []},
        "recordingStrategy": {"useOnly": "INCLUSION_BY_RESOURCE_TYPES"},
    }
    assert after["recordingMode"] == {"recordingFrequency": "DAILY", "recordingModeOverrides": []}


def test_a_second_recorder_name_is_refused(config: Any, backend: LiveServer, account: str) -> None:
    put(config, "first")
    before = row_counts(backend.db_url, account)
    code, message = error(lambda: put(config, "second"))
    assert code == "MaxNumberOfConfigurationRecordersExceededException"
    assert message == (
        "Failed to put configuration recorder 'second' because the maximum number of "
        "configuration recorders: 1 is reached."
    )
    assert row_counts(backend.db_url, account) == before
    assert [r["name"] for r in recorders(config)] == ["first"]


def test_a_blank_name_is_refused(config: Any, backend: LiveServer, account: str) -> None:
    code, message = error(lambda: put(config, "   "))
    assert code == "InvalidConfigurationRecorderNameException"
    assert message == "The configuration recorder name '   ' is not valid, blank string."
    assert sum(row_counts(backend.db_url, account).values()) == 0


def test_the_service_linked_name_prefix_is_reserved(config: Any) -> None:
    code, message = error(lambda: put(config, "AWSConfigurationRecorderForSecurityHub"))
    assert code == "InvalidConfigurationRecorderNameException"
    assert "AWSConfigurationRecorderFor" in message
    assert recorders(config) == []


@pytest.mark.parametrize("role", [None, ""], ids=["missing", "empty"])
def test_a_missing_or_empty_role_is_refused(
    backend: LiveServer, account: str, role: str | None
) -> None:
    client = config_client(backend, account, validate=False)
    spec: dict[str, Any] = {"name": "default"}
    if role is not None:
        spec["roleARN"] = role
    code, _ = error(lambda: client.put_configuration_recorder(ConfigurationRecorder=spec))
    assert code == "InvalidRoleException"
    assert sum(row_counts(backend.db_url, account).values()) == 0


INVALID_GROUPS = {
    "empty-group": {},
    "all-false": {"allSupported": False, "includeGlobalResourceTypes": False, "resourceTypes": []},
    "all-supported-with-types": {"allSupported": True, "resourceTypes": ["AWS::EC2::Instance"]},
    "all-supported-with-exclusions": {
        "allSupported": True,
        "exclusionByResourceTypes": {"resourceTypes": ["AWS::EC2::Instance"]},
    },
    "all-supported-with-inclusion-strategy": {
        "allSupported": True,
        "recordingStrategy": {"useOnly": "INCLUSION_BY_RESOURCE_TYPES"},
    },
    "all-supported-with-exclusion-strategy": {
        "allSupported": True,
        "recordingStrategy": {"useOnly": "EXCLUSION_BY_RESOURCE_TYPES"},
    },
    "global-without-all-supported": {"allSupported": False, "includeGlobalResourceTypes": True},
    "types-with-global": {
        "allSupported": False,
        "includeGlobalResourceTypes": True,
        "resourceTypes": ["AWS::IAM::Role"],
    },
    "types-with-exclusions": {
        "resourceTypes": ["AWS::EC2::Instance"],
        "exclusionByResourceTypes": {"resourceTypes": ["AWS::S3::Bucket"]},
        "recordingStrategy": {"useOnly": "EXCLUSION_BY_RESOURCE_TYPES"},
    },
    "types-with-exclusion-strategy": {
        "resourceTypes": ["AWS::EC2::Instance"],
        "recordingStrategy": {"useOnly": "EXCLUSION_BY_RESOURCE_TYPES"},
    },
    "types-with-all-supported-strategy": {
        "resourceTypes": ["AWS::EC2::Instance"],
        "recordingStrategy": {"useOnly": "ALL_SUPPORTED_RESOURCE_TYPES"},
    },
    "exclusions-without-strategy": {
        "exclusionByResourceTypes": {"resourceTypes": ["AWS::EC2::Instance"]},
    },
    "exclusions-with-inclusion-strategy": {
        "exclusionByResourceTypes": {"resourceTypes": ["AWS::EC2::Instance"]},
        "recordingStrategy": {"useOnly": "INCLUSION_BY_RESOURCE_TYPES"},
    },
    "exclusions-with-global": {
        "includeGlobalResourceTypes": True,
        "exclusionByResourceTypes": {"resourceTypes": ["AWS::EC2::Instance"]},
        "recordingStrategy": {"useOnly": "EXCLUSION_BY_RESOURCE_TYPES"},
    },
    "inclusion-strategy-without-types": {
        "allSupported": False,
        "recordingStrategy": {"useOnly": "INCLUSION_BY_RESOURCE_TYPES"},
    },
    "exclusion-strategy-without-exclusions": {
        "allSupported": False,
        "recordingStrategy": {"useOnly": "EXCLUSION_BY_RESOURCE_TYPES"},
    },
}


@pytest.mark.parametrize("group", INVALID_GROUPS.values(), ids=INVALID_GROUPS.keys())
def test_an_invalid_recording_group_is_refused(
    config: Any, backend: LiveServer, account: str, group: dict[str, Any]
) -> None:
    code, message = error(lambda: put(config, recordingGroup=group))
    assert code == "InvalidRecordingGroupException"
    assert message
    assert sum(row_counts(backend.db_url, account).values()) == 0


VALID_GROUPS = {
    "all-supported-with-global": (
        {"allSupported": True, "includeGlobalResourceTypes": True},
        {**DEFAULT_GROUP, "includeGlobalResourceTypes": True},
    ),
    "all-supported-with-its-strategy": (
        {"allSupported": True, "recordingStrategy": {"useOnly": "ALL_SUPPORTED_RESOURCE_TYPES"}},
        DEFAULT_GROUP,
    ),
    "inclusion-without-strategy": (
        {"resourceTypes": ["AWS::S3::Bucket", "AWS::IAM::Role"]},
        {
            **DEFAULT_GROUP,
            "allSupported": False,
            "resourceTypes": ["AWS::S3::Bucket", "AWS::IAM::Role"],
            "recordingStrategy": {"useOnly": "INCLUSION_BY_RESOURCE_TYPES"},
        },
    ),
    "exclusion": (
        {
            "allSupported": False,
            "exclusionByResourceTypes": {"resourceTypes": ["AWS::EC2::VPC"]},
            "recordingStrategy": {"useOnly": "EXCLUSION_BY_RESOURCE_TYPES"},
        },
        {
            **DEFAULT_GROUP,
            "allSupported": False,
            "exclusionByResourceTypes": {"resourceTypes": ["AWS::EC2::VPC"]},
            "recordingStrategy": {"useOnly": "EXCLUSION_BY_RESOURCE_TYPES"},
        },
    ),
}


@pytest.mark.parametrize(("group", "echoed"), VALID_GROUPS.values(), ids=VALID_GROUPS.keys())
def test_a_valid_recording_group_is_echoed_in_full(
    config: Any, group: dict[str, Any], echoed: dict[str, Any]
) -> None:
    put(config, recordingGroup=group)
    [recorder] = recorders(config)
    assert recorder["recordingGroup"] == echoed


@pytest.mark.parametrize(
    ("member", "group"),
    [
        ("resourceTypes", {"allSupported": False, "resourceTypes": ["AWS::EC2::NoSuchThing"]}),
        ("resourceTypes", {"allSupported": False, "resourceTypes": ["NotAResourceType"]}),
        (
            "exclusionByResourceTypes.resourceTypes",
            {
                "allSupported": False,
                "exclusionByResourceTypes": {"resourceTypes": ["MyCompany::Build::Agent"]},
                "recordingStrategy": {"useOnly": "EXCLUSION_BY_RESOURCE_TYPES"},
            },
        ),
    ],
    ids=["aws-like", "free-text", "custom-type-in-exclusions"],
)
def test_an_unknown_resource_type_in_the_group_is_a_validation_error(
    backend: LiveServer, account: str, member: str, group: dict[str, Any]
) -> None:
    client = config_client(backend, account, validate=False)
    code, message = error(lambda: put(client, recordingGroup=group))
    assert code == "ValidationException"
    listed = group.get("resourceTypes") or group["exclusionByResourceTypes"]["resourceTypes"]
    assert message == one_error(
        f"Value '[{', '.join(listed)}]' at 'configurationRecorder.recordingGroup.{member}' "
        f"failed to satisfy constraint: {RESOURCE_TYPE_ENUM}"
    )
    assert sum(row_counts(backend.db_url, account).values()) == 0


def test_recording_mode_overrides_are_echoed(config: Any) -> None:
    mode = {
        "recordingFrequency": "CONTINUOUS",
        "recordingModeOverrides": [
            {
                "description": "instances once a day",
                "resourceTypes": ["AWS::EC2::Instance"],
                "recordingFrequency": "DAILY",
            }
        ],
    }
    put(config, recordingMode=mode)
    [recorder] = recorders(config)
    assert recorder["recordingMode"] == mode


@pytest.mark.parametrize(
    "continuous_only",
    [
        "AWS::Config::ResourceCompliance",
        "AWS::Config::ConformancePackCompliance",
        "AWS::Config::ConfigurationRecorder",
    ],
)
def test_a_daily_override_of_a_continuous_only_type_is_refused(
    config: Any, backend: LiveServer, account: str, continuous_only: str
) -> None:
    mode = {
        "recordingFrequency": "CONTINUOUS",
        "recordingModeOverrides": [
            {
                "resourceTypes": ["AWS::EC2::Instance", continuous_only],
                "recordingFrequency": "DAILY",
            }
        ],
    }
    code, message = error(lambda: put(config, recordingMode=mode))
    assert code == "ValidationException"
    assert continuous_only in message
    assert sum(row_counts(backend.db_url, account).values()) == 0


def test_a_continuous_override_of_a_continuous_only_type_is_accepted(config: Any) -> None:
    mode = {
        "recordingFrequency": "DAILY",
        "recordingModeOverrides": [
            {
                "resourceTypes": ["AWS::Config::ResourceCompliance"],
                "recordingFrequency": "CONTINUOUS",
            }
        ],
    }
    put(config, recordingMode=mode)
    assert recorders(config)[0]["recordingMode"] == mode


def test_a_daily_default_for_an_included_continuous_only_type_is_refused(
    config: Any, backend: LiveServer, account: str
) -> None:
    group = {"resourceTypes": ["AWS::EC2::Instance", "AWS::Config::ResourceCompliance"]}
    daily = {"recordingFrequency": "DAILY"}
    code, message = error(lambda: put(config, recordingGroup=group, recordingMode=daily))
    assert code == "ValidationException"
    assert "AWS::Config::ResourceCompliance" in message
    assert sum(row_counts(backend.db_url, account).values()) == 0
    # Overridden back to CONTINUOUS it is fine; so is DAILY under ALL_SUPPORTED.
    overridden = {
        **daily,
        "recordingModeOverrides": [
            {
                "resourceTypes": ["AWS::Config::ResourceCompliance"],
                "recordingFrequency": "CONTINUOUS",
            }
        ],
    }
    put(config, recordingGroup=group, recordingMode=overridden)
    put(config, recordingGroup={"allSupported": True}, recordingMode=daily)
    assert recorders(config)[0]["recordingMode"] == {**daily, "recordingModeOverrides": []}


def test_associating_a_continuous_only_type_to_a_daily_recorder_is_refused(config: Any) -> None:
    put(
        config,
        recordingGroup={"resourceTypes": ["AWS::EC2::Instance"]},
        recordingMode={"recordingFrequency": "DAILY"},
    )
    code, _ = error(
        lambda: config.associate_resource_types(
            ConfigurationRecorderArn=_arn(config),
            ResourceTypes=["AWS::Config::ConfigurationRecorder"],
        )
    )
    assert code == "ValidationException"
    assert recorders(config)[0]["recordingGroup"]["resourceTypes"] == ["AWS::EC2::Instance"]


def test_an_unknown_type_in_a_recording_mode_override_is_a_validation_error(
    backend: LiveServer, account: str
) -> None:
    client = config_client(backend, account, validate=False)
    mode = {
        "recordingFrequency": "CONTINUOUS",
        "recordingModeOverrides": [
            {"resourceTypes": ["AWS::EC2::Nope"], "recordingFrequency": "DAILY"}
        ],
    }
    code, message = error(lambda: put(client, recordingMode=mode))
    assert code == "ValidationException"
    assert message == one_error(
        "Value '[AWS::EC2::Nope]' at "
        "'configurationRecorder.recordingMode.recordingModeOverrides.1.member.resourceTypes' "
        f"failed to satisfy constraint: {RESOURCE_TYPE_ENUM}"
    )
    assert sum(row_counts(backend.db_url, account).values()) == 0


def test_tags_are_applied_only_when_the_recorder_is_created(config: Any) -> None:
    config.put_configuration_recorder(
        ConfigurationRecorder={"name": "default", "roleARN": ROLE_ARN},
        Tags=[{"Key": "team", "Value": "platform"}],
    )
    arn = recorders(config)[0]["arn"]
    assert config.list_tags_for_resource(ResourceArn=arn)["Tags"] == [
        {"Key": "team", "Value": "platform"}
    ]
    config.put_configuration_recorder(
        ConfigurationRecorder={"name": "default", "roleARN": ROLE_ARN},
        Tags=[{"Key": "team", "Value": "security"}, {"Key": "extra", "Value": "x"}],
    )
    assert config.list_tags_for_resource(ResourceArn=arn)["Tags"] == [
        {"Key": "team", "Value": "platform"}
    ]


# -- DescribeConfigurationRecorders -----------------------------------------------------


def test_describe_filters_by_name_and_by_arn(config: Any) -> None:
    put(config, "main")
    [by_name] = recorders(config, ConfigurationRecorderNames=["main"])
    assert by_name["name"] == "main"
    [by_arn] = recorders(config, Arn=by_name["arn"])
    assert by_arn == by_name


def test_describe_an_unknown_name_is_no_such_recorder(config: Any) -> None:
    put(config)
    code, message = error(lambda: recorders(config, ConfigurationRecorderNames=["other"]))
    assert code == "NoSuchConfigurationRecorderException"
    assert message == "Cannot find configuration recorder with the specified name 'other'."


def test_describe_a_name_when_no_recorder_exists_is_no_such_recorder(config: Any) -> None:
    code, message = error(lambda: recorders(config, ConfigurationRecorderNames=["default"]))
    assert code == "NoSuchConfigurationRecorderException"
    assert message == "Cannot find configuration recorder with the specified name 'default'."


def test_describe_more_than_one_name_is_a_validation_error(config: Any) -> None:
    put(config)
    code, _ = error(lambda: recorders(config, ConfigurationRecorderNames=["default", "other"]))
    assert code == "ValidationException"
    code, _ = error(
        lambda: config.describe_configuration_recorder_status(
            ConfigurationRecorderNames=["default", "default"]
        )
    )
    assert code == "ValidationException"


def test_describe_an_unknown_arn_is_no_such_recorder(config: Any, account: str) -> None:
    put(config)
    arn = f"arn:aws:config:us-east-1:{account}:configuration-recorder/default/aaaaaaaaaaaaaaaa"
    code, _ = error(lambda: recorders(config, Arn=arn))
    assert code == "NoSuchConfigurationRecorderException"


# -- DescribeConfigurationRecorderStatus, Start, Stop -----------------------------------


def test_status_follows_start_and_stop(config: Any) -> None:
    put(config)
    config.put_delivery_channel(DeliveryChannel={"name": "default", "s3BucketName": "bucket"})
    arn = recorders(config)[0]["arn"]

    before = status(config)
    assert before["name"] == "default"
    assert before["arn"] == arn
    assert before["recording"] is False
    assert "lastStartTime" not in before
    assert "lastStopTime" not in before

    config.start_configuration_recorder(ConfigurationRecorderName="default")
    started = status(config)
    assert started["recording"] is True
    assert started["lastStatus"] in ("PENDING", "SUCCESS")
    now = datetime.now(UTC)
    assert abs(started["lastStartTime"] - now) < timedelta(minutes=1)
    assert "lastStopTime" not in started

    config.stop_configuration_recorder(ConfigurationRecorderName="default")
    stopped = status(config)
    assert stopped["recording"] is False
    assert stopped["lastStartTime"] == started["lastStartTime"]
    assert stopped["lastStopTime"] >= started["lastStartTime"]

    # Without a filter the status lists the one recorder.
    listed = config.describe_configuration_recorder_status()["ConfigurationRecordersStatus"]
    assert [s["name"] for s in listed] == ["default"]


def test_status_of_an_unknown_recorder_is_no_such_recorder(config: Any) -> None:
    assert config.describe_configuration_recorder_status()["ConfigurationRecordersStatus"] == []
    code, message = error(
        lambda: config.describe_configuration_recorder_status(ConfigurationRecorderNames=["x"])
    )
    assert code == "NoSuchConfigurationRecorderException"
    assert message == "Cannot find configuration recorder with the specified name 'x'."


def test_start_needs_a_delivery_channel(config: Any, backend: LiveServer, account: str) -> None:
    put(config)
    code, message = error(
        lambda: config.start_configuration_recorder(ConfigurationRecorderName="default")
    )
    assert code == "NoAvailableDeliveryChannelException"
    assert message == "Delivery channel is not available to start configuration recorder."
    assert status(config)["recording"] is False


@pytest.mark.parametrize(
    "operation",
    [
        "start_configuration_recorder",
        "stop_configuration_recorder",
        "delete_configuration_recorder",
    ],
)
def test_start_stop_delete_an_unknown_recorder(config: Any, operation: str) -> None:
    start_recording(config)
    code, message = error(lambda: getattr(config, operation)(ConfigurationRecorderName="nope"))
    assert code == "NoSuchConfigurationRecorderException"
    assert message == "Cannot find configuration recorder with the specified name 'nope'."
    assert status(config)["recording"] is True


def test_start_and_stop_twice_are_harmless(config: Any) -> None:
    start_recording(config)
    first = status(config)["lastStartTime"]
    config.start_configuration_recorder(ConfigurationRecorderName="default")
    assert status(config)["recording"] is True
    assert status(config)["lastStartTime"] == first
    config.stop_configuration_recorder(ConfigurationRecorderName="default")
    config.stop_configuration_recorder(ConfigurationRecorderName="default")
    assert status(config)["recording"] is False


# -- ListConfigurationRecorders ---------------------------------------------------------


def test_list_shows_the_customer_recorder_as_paid(config: Any) -> None:
    assert config.list_configuration_recorders()["ConfigurationRecorderSummaries"] == []
    put(config)
    arn = recorders(config)[0]["arn"]
    summaries = config.list_configuration_recorders()["ConfigurationRecorderSummaries"]
    assert summaries == [{"arn": arn, "name": "default", "recordingScope": "PAID"}]
    paid = config.list_configuration_recorders(
        Filters=[{"filterName": "recordingScope", "filterValue": ["PAID"]}]
    )
    assert [s["arn"] for s in paid["ConfigurationRecorderSummaries"]] == [arn]
    internal = config.list_configuration_recorders(
        Filters=[{"filterName": "recordingScope", "filterValue": ["INTERNAL"]}]
    )
    assert internal["ConfigurationRecorderSummaries"] == []
    assert "NextToken" not in internal


@pytest.mark.parametrize("values", [["PAID"], []], ids=["paid", "no-values"])
@pytest.mark.parametrize("token", ["forged", "of-another-operation"])
def test_list_with_a_foreign_token_is_invalid_next_token(
    config: Any, values: list[str], token: str
) -> None:
    config.put_configuration_recorder(
        ConfigurationRecorder=RECORDER,
        Tags=[{"Key": "a", "Value": "1"}, {"Key": "b", "Value": "2"}],
    )
    if token == "forged":
        token = "forged-token"
    else:  # genuine, but issued for ListTagsForResource
        token = config.list_tags_for_resource(ResourceArn=_arn(config), Limit=1)["NextToken"]
    code, message = error(
        lambda: config.list_configuration_recorders(
            Filters=[{"filterName": "recordingScope", "filterValue": values}], NextToken=token
        )
    )
    assert code == "InvalidNextTokenException"
    assert message == "The nextToken provided is invalid"


# -- DeleteConfigurationRecorder --------------------------------------------------------


def test_delete_keeps_the_recorded_history(config: Any, backend: LiveServer, account: str) -> None:
    start_recording(config)
    config.put_resource_config(
        ResourceType="MyCompany::Build::Agent",
        SchemaVersionId="00000001",
        ResourceId="agent-1",
        Configuration=json.dumps({"cpu": 4}),
    )
    config.delete_configuration_recorder(ConfigurationRecorderName="default")
    assert recorders(config) == []
    assert row_counts(backend.db_url, account)["recorders"] == 0
    items = config.get_resource_config_history(
        resourceType="MyCompany::Build::Agent", resourceId="agent-1"
    )["configurationItems"]
    assert [json.loads(i["configuration"]) for i in items] == [{"cpu": 4}]
    # A new recorder may be created afterwards, under another name too.
    put(config, "renamed")
    assert [r["name"] for r in recorders(config)] == ["renamed"]


# -- AssociateResourceTypes / DisassociateResourceTypes --------------------------------


def _arn(client: Any) -> str:
    return recorders(client)[0]["arn"]  # type: ignore[no-any-return]


def test_associate_and_disassociate_edit_the_inclusion_list(config: Any) -> None:
    put(config, recordingGroup={"allSupported": False, "resourceTypes": ["AWS::EC2::Instance"]})
    arn = _arn(config)
    added = config.associate_resource_types(
        ConfigurationRecorderArn=arn, ResourceTypes=["AWS::S3::Bucket", "AWS::EC2::VPC"]
    )["ConfigurationRecorder"]
    assert added["arn"] == arn
    assert added["recordingGroup"]["resourceTypes"] == [
        "AWS::EC2::Instance",
        "AWS::S3::Bucket",
        "AWS::EC2::VPC",
    ]
    assert recorders(config)[0] == added
    removed = config.disassociate_resource_types(
        ConfigurationRecorderArn=arn, ResourceTypes=["AWS::EC2::Instance"]
    )["ConfigurationRecorder"]
    assert removed["recordingGroup"]["resourceTypes"] == ["AWS::S3::Bucket", "AWS::EC2::VPC"]
    assert removed["recordingGroup"]["recordingStrategy"] == {
        "useOnly": "INCLUSION_BY_RESOURCE_TYPES"
    }
    assert recorders(config)[0]["recordingGroup"] == removed["recordingGroup"]


def test_associate_and_disassociate_edit_the_exclusion_list(config: Any) -> None:
    put(
        config,
        recordingGroup={
            "allSupported": False,
            "exclusionByResourceTypes": {"resourceTypes": ["AWS::EC2::VPC"]},
            "recordingStrategy": {"useOnly": "EXCLUSION_BY_RESOURCE_TYPES"},
        },
    )
    arn = _arn(config)
    added = config.associate_resource_types(
        ConfigurationRecorderArn=arn, ResourceTypes=["AWS::S3::Bucket"]
    )["ConfigurationRecorder"]
    assert added["recordingGroup"]["exclusionByResourceTypes"] == {
        "resourceTypes": ["AWS::EC2::VPC", "AWS::S3::Bucket"]
    }
    assert added["recordingGroup"]["resourceTypes"] == []
    removed = config.disassociate_resource_types(
        ConfigurationRecorderArn=arn, ResourceTypes=["AWS::EC2::VPC"]
    )["ConfigurationRecorder"]
    assert removed["recordingGroup"]["exclusionByResourceTypes"] == {
        "resourceTypes": ["AWS::S3::Bucket"]
    }
    assert recorders(config)[0]["recordingGroup"] == removed["recordingGroup"]


@pytest.mark.parametrize("operation", ["associate_resource_types", "disassociate_resource_types"])
def test_associate_on_an_all_supported_recorder_is_a_validation_error(
    config: Any, operation: str
) -> None:
    put(config)
    code, _ = error(
        lambda: getattr(config, operation)(
            ConfigurationRecorderArn=_arn(config), ResourceTypes=["AWS::S3::Bucket"]
        )
    )
    assert code == "ValidationException"
    assert recorders(config)[0]["recordingGroup"] == DEFAULT_GROUP


def test_associating_an_associated_type_or_removing_an_absent_one_is_refused(
    config: Any,
) -> None:
    group = {"allSupported": False, "resourceTypes": ["AWS::EC2::Instance", "AWS::S3::Bucket"]}
    put(config, recordingGroup=group)
    arn = _arn(config)
    code, _ = error(
        lambda: config.associate_resource_types(
            ConfigurationRecorderArn=arn, ResourceTypes=["AWS::EC2::VPC", "AWS::S3::Bucket"]
        )
    )
    assert code == "ValidationException"
    code, _ = error(
        lambda: config.disassociate_resource_types(
            ConfigurationRecorderArn=arn, ResourceTypes=["AWS::EC2::Instance", "AWS::EC2::VPC"]
        )
    )
    assert code == "ValidationException"
    # Neither request changed anything, not even the part that alone would have been valid.
    assert recorders(config)[0]["recordingGroup"]["resourceTypes"] == group["resourceTypes"]


@pytest.mark.parametrize("operation", ["associate_resource_types", "disassociate_resource_types"])
def test_associate_with_an_unknown_arn_is_no_such_recorder(
    config: Any, account: str, operation: str
) -> None:
    put(config, recordingGroup={"allSupported": False, "resourceTypes": ["AWS::EC2::Instance"]})
    arn = f"arn:aws:config:us-east-1:{account}:configuration-recorder/default/zzzzzzzzzzzzzzzz"
    code, _ = error(
        lambda: getattr(config, operation)(
            ConfigurationRecorderArn=arn, ResourceTypes=["AWS::EC2::Instance"]
        )
    )
    assert code == "NoSuchConfigurationRecorderException"


def test_associate_an_unknown_type_is_a_validation_error(backend: LiveServer, account: str) -> None:
    client = config_client(backend, account, validate=False)
    put(client, recordingGroup={"allSupported": False, "resourceTypes": ["AWS::EC2::Instance"]})
    code, message = error(
        lambda: client.associate_resource_types(
            ConfigurationRecorderArn=_arn(client), ResourceTypes=["MyCompany::Build::Agent"]
        )
    )
    assert code == "ValidationException"
    assert message == one_error(
        "Value '[MyCompany::Build::Agent]' at 'resourceTypes' failed to satisfy constraint: "
        + RESOURCE_TYPE_ENUM
    )
    assert recorders(client)[0]["recordingGroup"]["resourceTypes"] == ["AWS::EC2::Instance"]


# -- bad input ---------------------------------------------------------------------------

LONG_NAME = "r" * 257

BAD_INPUT: dict[str, tuple[str, dict[str, Any], str, str | None]] = {
    "put-missing-recorder": (
        "PutConfigurationRecorder",
        {},
        "ValidationException",
        one_error(
            "Value null at 'configurationRecorder' failed to satisfy constraint: "
            "Member must not be null"
        ),
    ),
    "put-recorder-wrong-type": (
        "PutConfigurationRecorder",
        {"ConfigurationRecorder": "default"},
        "SerializationException",
        None,
    ),
    "put-all-supported-wrong-type": (
        "PutConfigurationRecorder",
        {"ConfigurationRecorder": {**RECORDER, "recordingGroup": {"allSupported": "yes"}}},
        "SerializationException",
        "STRING_VALUE can not be converted to a Boolean",
    ),
    "put-name-too-long": (
        "PutConfigurationRecorder",
        {"ConfigurationRecorder": {**RECORDER, "name": LONG_NAME}},
        "ValidationException",
        one_error(
            f"Value '{LONG_NAME}' at 'configurationRecorder.name' failed to satisfy constraint: "
            "Member must have length less than or equal to 256"
        ),
    ),
    "put-strategy-outside-enum": (
        "PutConfigurationRecorder",
        {
            "ConfigurationRecorder": {
                **RECORDER,
                "recordingGroup": {"allSupported": True, "recordingStrategy": {"useOnly": "ALL"}},
            }
        },
        "ValidationException",
        one_error(
            "Value 'ALL' at 'configurationRecorder.recordingGroup.recordingStrategy.useOnly' "
            "failed to satisfy constraint: Member must satisfy enum value set: "
            "[ALL_SUPPORTED_RESOURCE_TYPES, INCLUSION_BY_RESOURCE_TYPES, "
            "EXCLUSION_BY_RESOURCE_TYPES]"
        ),
    ),
    "put-frequency-outside-enum": (
        "PutConfigurationRecorder",
        {"ConfigurationRecorder": {**RECORDER, "recordingMode": {"recordingFrequency": "HOURLY"}}},
        "ValidationException",
        one_error(
            "Value 'HOURLY' at 'configurationRecorder.recordingMode.recordingFrequency' failed "
            "to satisfy constraint: Member must satisfy enum value set: [CONTINUOUS, DAILY]"
        ),
    ),
    "put-mode-missing-frequency": (
        "PutConfigurationRecorder",
        {"ConfigurationRecorder": {**RECORDER, "recordingMode": {}}},
        "ValidationException",
        one_error(
            "Value null at 'configurationRecorder.recordingMode.recordingFrequency' failed to "
            "satisfy constraint: Member must not be null"
        ),
    ),
    "put-tag-key-missing": (
        "PutConfigurationRecorder",
        {"ConfigurationRecorder": RECORDER, "Tags": [{"Value": "v"}]},
        "ValidationException",
        one_error(
            "Value null at 'tags.1.member.key' failed to satisfy constraint: "
            "Member must not be null"
        ),
    ),
    "put-tag-key-too-long": (
        "PutConfigurationRecorder",
        {"ConfigurationRecorder": RECORDER, "Tags": [{"Key": "k" * 129, "Value": "v"}]},
        "ValidationException",
        None,
    ),
    "describe-names-wrong-type": (
        "DescribeConfigurationRecorders",
        {"ConfigurationRecorderNames": "default"},
        "SerializationException",
        None,
    ),
    "describe-name-too-long": (
        "DescribeConfigurationRecorders",
        {"ConfigurationRecorderNames": [LONG_NAME]},
        "ValidationException",
        None,
    ),
    "describe-arn-too-long": (
        "DescribeConfigurationRecorders",
        {"Arn": "a" * 1001},
        "ValidationException",
        None,
    ),
    "status-names-wrong-type": (
        "DescribeConfigurationRecorderStatus",
        {"ConfigurationRecorderNames": {"name": "default"}},
        "SerializationException",
        None,
    ),
    "status-name-too-long": (
        "DescribeConfigurationRecorderStatus",
        {"ConfigurationRecorderNames": [LONG_NAME]},
        "ValidationException",
        None,
    ),
    "list-max-results-wrong-type": (
        "ListConfigurationRecorders",
        {"MaxResults": "10"},
        "SerializationException",
        "STRING_VALUE can not be converted to an Integer",
    ),
    "list-max-results-too-big": (
        "ListConfigurationRecorders",
        {"MaxResults": 21},
        "ValidationException",
        one_error(
            "Value '21' at 'maxResults' failed to satisfy constraint: "
            "Member must have value less than or equal to 20"
        ),
    ),
    "list-filter-name-outside-enum": (
        "ListConfigurationRecorders",
        {"Filters": [{"filterName": "scope", "filterValue": ["PAID"]}]},
        "ValidationException",
        one_error(
            "Value 'scope' at 'filters.1.member.filterName' failed to satisfy constraint: "
            "Member must satisfy enum value set: [recordingScope]"
        ),
    ),
    "start-missing-name": (
        "StartConfigurationRecorder",
        {},
        "ValidationException",
        one_error(
            "Value null at 'configurationRecorderName' failed to satisfy constraint: "
            "Member must not be null"
        ),
    ),
    "start-name-wrong-type": (
        "StartConfigurationRecorder",
        {"ConfigurationRecorderName": ["default"]},
        "SerializationException",
        None,
    ),
    "start-name-too-long": (
        "StartConfigurationRecorder",
        {"ConfigurationRecorderName": LONG_NAME},
        "ValidationException",
        None,
    ),
    "stop-missing-name": ("StopConfigurationRecorder", {}, "ValidationException", None),
    "stop-name-wrong-type": (
        "StopConfigurationRecorder",
        {"ConfigurationRecorderName": 7},
        "SerializationException",
        "NUMBER_VALUE can not be converted to a String",
    ),
    "stop-name-too-long": (
        "StopConfigurationRecorder",
        {"ConfigurationRecorderName": LONG_NAME},
        "ValidationException",
        None,
    ),
    "delete-missing-name": ("DeleteConfigurationRecorder", {}, "ValidationException", None),
    "delete-name-wrong-type": (
        "DeleteConfigurationRecorder",
        {"ConfigurationRecorderName": True},
        "SerializationException",
        None,
    ),
    "delete-name-too-long": (
        "DeleteConfigurationRecorder",
        {"ConfigurationRecorderName": LONG_NAME},
        "ValidationException",
        one_error(
            f"Value '{LONG_NAME}' at 'configurationRecorderName' failed to satisfy constraint: "
            "Member must have length less than or equal to 256"
        ),
    ),
    "associate-missing-types": (
        "AssociateResourceTypes",
        {"ConfigurationRecorderArn": "arn:aws:config:us-east-1:123456789012:x"},
        "ValidationException",
        one_error(
            "Value null at 'resourceTypes' failed to satisfy constraint: Member must not be null"
        ),
    ),
    "associate-types-wrong-type": (
        "AssociateResourceTypes",
        {"ConfigurationRecorderArn": "arn", "ResourceTypes": "AWS::S3::Bucket"},
        "SerializationException",
        None,
    ),
    "associate-arn-too-long": (
        "AssociateResourceTypes",
        {"ConfigurationRecorderArn": "a" * 1001, "ResourceTypes": ["AWS::S3::Bucket"]},
        "ValidationException",
        None,
    ),
    "associate-type-outside-enum": (
        "AssociateResourceTypes",
        {"ConfigurationRecorderArn": "arn", "ResourceTypes": ["S3 bucket"]},
        "ValidationException",
        one_error(
            "Value '[S3 bucket]' at 'resourceTypes' failed to satisfy constraint: "
            + RESOURCE_TYPE_ENUM
        ),
    ),
    "disassociate-missing-arn": (
        "DisassociateResourceTypes",
        {"ResourceTypes": ["AWS::S3::Bucket"]},
        "ValidationException",
        one_error(
            "Value null at 'configurationRecorderArn' failed to satisfy constraint: "
            "Member must not be null"
        ),
    ),
    "disassociate-arn-wrong-type": (
        "DisassociateResourceTypes",
        {"ConfigurationRecorderArn": 12, "ResourceTypes": ["AWS::S3::Bucket"]},
        "SerializationException",
        None,
    ),
    "disassociate-arn-too-long": (
        "DisassociateResourceTypes",
        {"ConfigurationRecorderArn": "a" * 1001, "ResourceTypes": ["AWS::S3::Bucket"]},
        "ValidationException",
        None,
    ),
    "disassociate-type-outside-enum": (
        "DisassociateResourceTypes",
        {"ConfigurationRecorderArn": "arn", "ResourceTypes": ["bucket"]},
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
    put(client, recordingGroup={"allSupported": False, "resourceTypes": ["AWS::EC2::Instance"]})
    before = row_counts(backend.db_url, account)
    [recorder] = recorders(client)
    status_code, payload, _ = raw_call(backend.url, target, json.dumps(body), access_key=account)
    assert status_code == 400
    assert payload["__type"] == code
    assert payload["message"]
    if message is not None:
        assert payload["message"] == message
    assert row_counts(backend.db_url, account) == before
    assert recorders(client) == [recorder]


# -- isolation ---------------------------------------------------------------------------


def test_recorders_are_isolated_by_account_and_region(backend: LiveServer) -> None:
    account_a, account_b = new_account(), new_account()
    a_east = config_client(backend, account_a)
    b_east = config_client(backend, account_b)
    a_west = config_client(backend, account_a, region="eu-west-1")
    put(a_east, "alpha")
    arn = _arn(a_east)

    for other in (b_east, a_west):
        assert recorders(other) == []
        assert other.list_configuration_recorders()["ConfigurationRecorderSummaries"] == []
        code, _ = error(partial(recorders, other, ConfigurationRecorderNames=["alpha"]))
        assert code == "NoSuchConfigurationRecorderException"
        code, _ = error(partial(recorders, other, Arn=arn))
        assert code == "NoSuchConfigurationRecorderException"
        code, _ = error(
            partial(
                other.associate_resource_types,
                ConfigurationRecorderArn=arn,
                ResourceTypes=["AWS::S3::Bucket"],
            )
        )
        assert code == "NoSuchConfigurationRecorderException"
        code, _ = error(
            partial(other.delete_configuration_recorder, ConfigurationRecorderName="alpha")
        )
        assert code == "NoSuchConfigurationRecorderException"
        # Each partition has room for its own recorder, under any name.
        put(other, "beta")
        assert [r["name"] for r in recorders(other)] == ["beta"]

    [alpha] = recorders(a_east)
    assert alpha["name"] == "alpha"
    assert alpha["arn"] == arn
    west_arn = _arn(a_west)
    assert ARN.match(west_arn)["region"] == "eu-west-1"  # type: ignore[index]
    assert ARN.match(_arn(b_east))["account"] == account_b  # type: ignore[index]


# -- concurrency -------------------------------------------------------------------------


def _concurrently(count: int, call: Callable[[int], tuple[int, dict[str, Any]]]) -> list[Any]:
    with ThreadPoolExecutor(count) as pool:
        return list(pool.map(call, range(count)))


def test_concurrent_puts_of_different_names_create_exactly_one_recorder(
    backend: LiveServer, account: str
) -> None:
    def put_named(index: int) -> tuple[int, dict[str, Any]]:
        body = {"ConfigurationRecorder": {"name": f"recorder-{index}", "roleARN": ROLE_ARN}}
        status, payload, _ = raw_call(
            backend.url, "PutConfigurationRecorder", json.dumps(body), access_key=account
        )
        return status, payload

    results = _concurrently(8, put_named)
    assert [status for status, _ in results].count(200) == 1
    assert {p["__type"] for s, p in results if s != 200} == {
        "MaxNumberOfConfigurationRecordersExceededException"
    }
    assert row_counts(backend.db_url, account)["recorders"] == 1


def test_concurrent_puts_of_one_name_all_succeed(backend: LiveServer, account: str) -> None:
    def put_same(index: int) -> tuple[int, dict[str, Any]]:
        body = {"ConfigurationRecorder": RECORDER, "Tags": [{"Key": f"k{index}", "Value": "v"}]}
        status, payload, _ = raw_call(
            backend.url, "PutConfigurationRecorder", json.dumps(body), access_key=account
        )
        return status, payload

    assert [status for status, _ in _concurrently(8, put_same)] == [200] * 8
    counts = row_counts(backend.db_url, account)
    assert (counts["recorders"], counts["tags"]) == (1, 1)  # tags only from the creator
