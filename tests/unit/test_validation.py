"""Request validation against botocore's model: AWS's exact texts for type and constraint errors."""

from __future__ import annotations

from typing import Any

import botocore.model
import botocore.session
import pytest

from configledger.api.validation import OPEN_ENUM_SHAPES, validate_request
from configledger.errors import SerializationException, ValidationException

_SESSION = botocore.session.get_session()
CONFIG = _SESSION.get_service_model("config")


def op(name: str) -> botocore.model.OperationModel:
    return CONFIG.operation_model(name)


def enum_text(shape_name: str) -> str:
    """The enum constraint as AWS words it, with the values taken from the model."""
    values = CONFIG.shape_for(shape_name).enum
    return "Member must satisfy enum value set: [" + ", ".join(values) + "]"


def validation_message(operation: str, body: dict[str, Any]) -> str:
    with pytest.raises(ValidationException) as caught:
        validate_request(op(operation), body)
    return caught.value.message


def serialization_message(operation: str, body: object) -> str:
    with pytest.raises(SerializationException) as caught:
        validate_request(op(operation), body)
    return caught.value.message


def one_error(text: str) -> str:
    return "1 validation error detected: " + text


# -- accepted requests ------------------------------------------------------------------


def test_a_valid_request_comes_back_as_the_same_dict() -> None:
    body = {
        "ConfigurationRecorder": {
            "name": "default",
            "roleARN": "arn:aws:iam::123456789012:role/config",
            "recordingGroup": {"allSupported": False, "resourceTypes": ["AWS::EC2::Instance"]},
        }
    }
    assert validate_request(op("PutConfigurationRecorder"), body) is body


def test_unknown_members_are_ignored_and_kept() -> None:
    body = {"RetentionPeriodInDays": 30, "Surprise": [1, {"x": None}]}
    assert validate_request(op("PutRetentionConfiguration"), body)["Surprise"] == [1, {"x": None}]


def test_an_explicit_null_is_treated_as_absent() -> None:
    params = validate_request(op("GetResourceConfigHistory"), _history(limit=None))
    assert "limit" not in params
    message = validation_message("GetResourceConfigHistory", _history(resourceId=None))
    assert message == one_error(
        "Value null at 'resourceId' failed to satisfy constraint: Member must not be null"
    )


def test_an_operation_without_input_accepts_an_empty_object() -> None:
    operation = op("GetComplianceSummaryByConfigRule")
    assert operation.input_shape is None
    assert validate_request(operation, {}) == {}
    with pytest.raises(SerializationException):
        validate_request(operation, [])


# -- required members -------------------------------------------------------------------


def test_missing_required_member() -> None:
    assert validation_message("PutConfigurationRecorder", {}) == one_error(
        "Value null at 'configurationRecorder' failed to satisfy constraint: "
        "Member must not be null"
    )


def test_missing_member_inside_a_list_element_names_its_position() -> None:
    body = {"resourceKeys": [{"resourceType": "AWS::EC2::Instance", "resourceId": "i-1"}, {}]}
    assert validation_message("BatchGetResourceConfig", body) == (
        "2 validation errors detected: "
        "Value null at 'resourceKeys.2.member.resourceType' failed to satisfy constraint: "
        "Member must not be null; "
        "Value null at 'resourceKeys.2.member.resourceId' failed to satisfy constraint: "
        "Member must not be null"
    )


def test_two_errors_are_counted_and_joined_in_model_order() -> None:
    assert validation_message("GetResourceConfigHistory", {"resourceId": ""}) == (
        "2 validation errors detected: "
        "Value null at 'resourceType' failed to satisfy constraint: Member must not be null; "
        "Value '' at 'resourceId' failed to satisfy constraint: "
        "Member must have length greater than or equal to 1"
    )


# -- strings ----------------------------------------------------------------------------


def test_string_too_long_in_a_nested_structure() -> None:
    name = "n" * 257
    body = {"ConfigurationRecorder": {"name": name}}
    assert validation_message("PutConfigurationRecorder", body) == one_error(
        f"Value '{name}' at 'configurationRecorder.name' failed to satisfy constraint: "
        "Member must have length less than or equal to 256"
    )


def test_string_too_short() -> None:
    assert validation_message("GetResourceConfigHistory", _history(resourceId="")) == one_error(
        "Value '' at 'resourceId' failed to satisfy constraint: "
        "Member must have length greater than or equal to 1"
    )


def test_pattern_is_a_full_match_of_the_model_regex() -> None:
    body = _resource_config(SchemaVersionId="v1 beta")
    assert validation_message("PutResourceConfig", body) == one_error(
        "Value 'v1 beta' at 'schemaVersionId' failed to satisfy constraint: "
        "Member must satisfy regular expression pattern: [A-Za-z0-9-]+"
    )
    assert validate_request(op("PutResourceConfig"), _resource_config(SchemaVersionId="v1-beta"))


def test_a_pattern_python_cannot_compile_is_skipped_but_still_named() -> None:
    tag_resource = _SESSION.get_service_model("logs").operation_model("TagResource")
    key_pattern = tag_resource.input_shape.members["tags"].key.metadata["pattern"]
    accepted = {"resourceArn": "arn:x", "tags": {"has a !": "v"}}
    assert validate_request(tag_resource, accepted) is accepted
    with pytest.raises(ValidationException) as caught:
        validate_request(tag_resource, {"resourceArn": "arn:x", "tags": {"": "v"}})
    assert caught.value.message == one_error(
        "Value '{=v}' at 'tags' failed to satisfy constraint: Map keys must satisfy constraint: "
        "[Member must have length less than or equal to 128, "
        "Member must have length greater than or equal to 1, "
        f"Member must satisfy regular expression pattern: {key_pattern}]"
    )


def test_scalar_enum() -> None:
    body = {"DeliveryChannel": {"configSnapshotDeliveryProperties": {"deliveryFrequency": "Daily"}}}
    assert validation_message("PutDeliveryChannel", body) == one_error(
        "Value 'Daily' at 'deliveryChannel.configSnapshotDeliveryProperties.deliveryFrequency' "
        f"failed to satisfy constraint: {enum_text('MaximumExecutionFrequency')}"
    )


def test_enum_values_are_listed_in_model_order() -> None:
    values = CONFIG.shape_for("MaximumExecutionFrequency").enum
    assert enum_text("MaximumExecutionFrequency").endswith("[" + ", ".join(values) + "]")
    assert values.index("One_Hour") < values.index("TwentyFour_Hours")


def test_list_of_enum_strings_is_reported_on_the_list_as_a_whole() -> None:
    body = {
        "ConfigurationRecorder": {
            "recordingGroup": {"resourceTypes": ["AWS::EC2::Instance", "Bad::Type"]}
        }
    }
    assert validation_message("PutConfigurationRecorder", body) == one_error(
        "Value '[AWS::EC2::Instance, Bad::Type]' at "
        "'configurationRecorder.recordingGroup.resourceTypes' failed to satisfy constraint: "
        f"Member must satisfy constraint: [{enum_text('ResourceType')}]"
    )


def test_list_of_length_limited_strings_names_every_member_constraint() -> None:
    body = {"ConfigurationRecorderNames": ["default", ""]}
    assert validation_message("DescribeConfigurationRecorders", body) == one_error(
        "Value '[default, ]' at 'configurationRecorderNames' failed to satisfy constraint: "
        "Member must satisfy constraint: [Member must have length less than or equal to 256, "
        "Member must have length greater than or equal to 1]"
    )


def test_a_null_list_element_must_not_be_null() -> None:
    body = {"ConfigurationRecorderNames": ["default", None]}
    assert validation_message("DescribeConfigurationRecorders", body) == one_error(
        "Value null at 'configurationRecorderNames.2.member' failed to satisfy constraint: "
        "Member must not be null"
    )


def test_pattern_and_length_failures_of_one_member_are_separate_errors() -> None:
    principal = "bad principal " * 10
    message = validation_message("DescribeConfigurationRecorders", {"ServicePrincipal": principal})
    assert message == (
        f"2 validation errors detected: Value '{principal}' at 'servicePrincipal' failed to "
        "satisfy constraint: Member must have length less than or equal to 128; "
        f"Value '{principal}' at 'servicePrincipal' failed to satisfy constraint: "
        "Member must satisfy regular expression pattern: [\\w+=,.@-]+"
    )


# -- resource types ---------------------------------------------------------------------


def test_open_enum_hook_names_the_resource_type_shape() -> None:
    assert "ResourceType" in OPEN_ENUM_SHAPES
    assert CONFIG.shape_for("ResourceType").enum, "the hook only matters for an enum shape"


@pytest.mark.parametrize("operation", ["GetResourceConfigHistory", "ListDiscoveredResources"])
def test_custom_resource_type_is_accepted_where_the_model_says_enum(operation: str) -> None:
    body = _history(resourceType="MyCompany::Build::Agent")
    assert validate_request(op(operation), body)["resourceType"] == "MyCompany::Build::Agent"


@pytest.mark.parametrize("resource_type", ["Bad::Type", "My Company::Build::Agent", "A::B::C::D"])
def test_a_resource_type_neither_listed_nor_custom_fails_with_the_enum(resource_type: str) -> None:
    message = validation_message("ListDiscoveredResources", {"resourceType": resource_type})
    assert message == one_error(
        f"Value '{resource_type}' at 'resourceType' failed to satisfy constraint: "
        + enum_text("ResourceType")
    )


def test_put_resource_config_takes_any_resource_type_string() -> None:
    for resource_type in ("MyCompany::Build::Agent", "not even a type"):
        body = _resource_config(ResourceType=resource_type)
        assert validate_request(op("PutResourceConfig"), body)["ResourceType"] == resource_type


# -- numbers ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("days", "text"),
    [
        (29, "Member must have value greater than or equal to 30"),
        (2558, "Member must have value less than or equal to 2557"),
    ],
)
def test_integer_out_of_range(days: int, text: str) -> None:
    message = validation_message("PutRetentionConfiguration", {"RetentionPeriodInDays": days})
    assert message == one_error(
        f"Value '{days}' at 'retentionPeriodInDays' failed to satisfy constraint: {text}"
    )


def test_integer_beyond_java_int_is_reported_without_its_value() -> None:
    body = {"RetentionPeriodInDays": 2**40}
    assert validation_message("PutRetentionConfiguration", body) == one_error(
        "Value at 'retentionPeriodInDays' failed to satisfy constraint: "
        "Member must have value less than or equal to 2557"
    )


def test_integral_float_is_taken_as_an_integer() -> None:
    params = validate_request(op("PutRetentionConfiguration"), {"RetentionPeriodInDays": 30.0})
    assert params["RetentionPeriodInDays"] == 30
    assert type(params["RetentionPeriodInDays"]) is int


# -- collections ------------------------------------------------------------------------


def test_list_too_long_shows_no_value_for_structures() -> None:
    body = {"ResourceArn": "arn:x", "Tags": [{"Key": "k", "Value": "v"}] * 51}
    assert validation_message("TagResource", body) == one_error(
        "Value at 'tags' failed to satisfy constraint: "
        "Member must have length less than or equal to 50"
    )


def test_empty_list_below_its_minimum() -> None:
    assert validation_message("BatchGetResourceConfig", {"resourceKeys": []}) == one_error(
        "Value '[]' at 'resourceKeys' failed to satisfy constraint: "
        "Member must have length greater than or equal to 1"
    )


def test_map_value_too_long_names_every_value_constraint() -> None:
    # AWS Config's own maps carry no value constraints, so this uses another real model.
    tag_resources = _SESSION.get_service_model("resourcegroupstaggingapi").operation_model(
        "TagResources"
    )
    value = "v" * 257
    with pytest.raises(ValidationException) as caught:
        validate_request(tag_resources, {"ResourceARNList": ["arn:x"], "Tags": {"team": value}})
    assert caught.value.message == one_error(
        f"Value '{{team={value}}}' at 'tags' failed to satisfy constraint: "
        "Map value must satisfy constraint: [Member must have length less than or equal to 256, "
        "Member must have length greater than or equal to 0, "
        "Member must satisfy regular expression pattern: [\\s\\S]*]"
    )


def test_map_key_too_long_inside_a_list_element() -> None:
    key = "k" * 257
    configuration = {
        "ConfigRuleName": "rule",
        "TargetType": "SSM_DOCUMENT",
        "TargetId": "doc",
        "Parameters": {key: {"StaticValue": {"Values": ["x"]}}},
    }
    body = {"RemediationConfigurations": [configuration]}
    assert validation_message("PutRemediationConfigurations", body) == one_error(
        "Value at 'remediationConfigurations.1.member.parameters' failed to satisfy constraint: "
        "Map keys must satisfy constraint: [Member must have length less than or equal to 256, "
        "Member must have length greater than or equal to 1]"
    )


def test_map_values_that_are_structures_are_checked_under_their_key() -> None:
    configuration = {
        "ConfigRuleName": "rule",
        "TargetType": "SSM_DOCUMENT",
        "TargetId": "doc",
        "Parameters": {"AutomationAssumeRole": {"StaticValue": {}}},
    }
    body = {"RemediationConfigurations": [configuration]}
    assert validation_message("PutRemediationConfigurations", body) == one_error(
        "Value null at "
        "'remediationConfigurations.1.member.parameters.AutomationAssumeRole.staticValue.values' "
        "failed to satisfy constraint: Member must not be null"
    )


# -- wrong JSON types -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("operation", "body", "message"),
    [
        (
            "PutRetentionConfiguration",
            {"RetentionPeriodInDays": "30"},
            "STRING_VALUE can not be converted to an Integer",
        ),
        (
            "PutRetentionConfiguration",
            {"RetentionPeriodInDays": True},
            "TRUE_VALUE can not be converted to an Integer",
        ),
        (
            "PutRetentionConfiguration",
            {"RetentionPeriodInDays": 30.5},
            "NUMBER_VALUE can not be converted to an Integer",
        ),
        (
            "PutRetentionConfiguration",
            {"RetentionPeriodInDays": {"days": 30}},
            "Start of structure or map found where not expected.",
        ),
        (
            "PutResourceConfig",
            {"ResourceId": 5},
            "NUMBER_VALUE can not be converted to a String",
        ),
        (
            "PutResourceConfig",
            {"ResourceId": ["i-1"]},
            "Start of list found where not expected",
        ),
        (
            "PutConfigurationRecorder",
            {"ConfigurationRecorder": [{"name": "default"}]},
            "Start of list found where not expected",
        ),
        (
            "PutConfigurationRecorder",
            {"ConfigurationRecorder": "default"},
            "Expected null",
        ),
        (
            "PutConfigurationRecorder",
            {"ConfigurationRecorder": {"recordingGroup": {"allSupported": "true"}}},
            "STRING_VALUE can not be converted to a Boolean",
        ),
        (
            "PutConfigurationRecorder",
            {"ConfigurationRecorder": {"recordingGroup": {"resourceTypes": "AWS::S3::Bucket"}}},
            "Expected list or null",
        ),
        (
            "DescribeConfigurationRecorders",
            {"ConfigurationRecorderNames": ["default", 7]},
            "NUMBER_VALUE can not be converted to a String",
        ),
        (
            "PutResourceConfig",
            {"Tags": "team=core"},
            "Expected map or null",
        ),
    ],
)
def test_wrong_json_type(operation: str, body: dict[str, Any], message: str) -> None:
    assert serialization_message(operation, body) == message


def test_a_wrong_type_wins_over_constraint_failures() -> None:
    body = {"resourceId": "", "limit": "10"}
    assert serialization_message("GetResourceConfigHistory", body) == (
        "STRING_VALUE can not be converted to an Integer"
    )


@pytest.mark.parametrize("body", [[], [{"RetentionPeriodInDays": 30}]])
def test_a_list_body_is_not_an_object(body: object) -> None:
    message = serialization_message("PutRetentionConfiguration", body)
    assert message == "Start of list found where not expected"


@pytest.mark.parametrize("body", ["{}", 30, None, True])
def test_a_scalar_body_is_not_an_object(body: object) -> None:
    assert serialization_message("PutRetentionConfiguration", body)


# -- timestamps -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sent", "millis"),
    [
        (1700000000, 1700000000000),
        (1700000000.25, 1700000000250),
        ("2023-11-14T22:13:20Z", 1700000000000),
        ("2023-11-14T22:13:20.5Z", 1700000000500),
        ("2023-11-14T23:13:20+01:00", 1700000000000),
        ("2023-11-14T22:13:20", 1700000000000),
    ],
)
def test_timestamp_becomes_epoch_milliseconds(sent: object, millis: int) -> None:
    params = validate_request(op("GetResourceConfigHistory"), _history(laterTime=sent))
    assert params["laterTime"] == millis
    assert type(params["laterTime"]) is int


@pytest.mark.parametrize(
    ("sent", "message"),
    [
        ("yesterday", "STRING_VALUE can not be converted to milliseconds since epoch"),
        ("2023-13-01T00:00:00Z", "STRING_VALUE can not be converted to milliseconds since epoch"),
        (True, "TRUE_VALUE can not be converted to milliseconds since epoch"),
        ([1700000000], "Start of list found where not expected"),
    ],
)
def test_bad_timestamp(sent: object, message: str) -> None:
    assert serialization_message("GetResourceConfigHistory", _history(earlierTime=sent)) == message


# -- helpers ----------------------------------------------------------------------------


def _history(**members: object) -> dict[str, Any]:
    body: dict[str, Any] = {"resourceType": "AWS::EC2::Instance", "resourceId": "i-1"}
    body.update(members)
    return body


def _resource_config(**members: object) -> dict[str, Any]:
    body: dict[str, Any] = {
        "ResourceType": "MyCompany::Build::Agent",
        "SchemaVersionId": "v1",
        "ResourceId": "agent-1",
        "Configuration": "{}",
    }
    body.update(members)
    return body
