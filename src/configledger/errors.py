"""Every error ConfigLedger answers with, as a tree of AWS error codes.

The tree::

    AwsError                      code, message, HTTP status (400 unless said)
    ├── ClientError               the caller's request was wrong
    │   ├── protocol errors       SerializationException, UnknownOperationException,
    │   │                         ValidationException, InvalidParameterValueException
    │   ├── authentication        MissingAuthenticationTokenException,
    │   │                         IncompleteSignatureException,
    │   │                         UnrecognizedClientException, InvalidSignatureException
    │   └── Config's own codes    one class per modelled exception ConfigLedger raises
    └── InternalFailure           500: a fault of ours, never the caller's

The code of each class is the exact string AWS puts in ``__type``; a meta test checks
that each one is either in botocore's service model or a generic AWS JSON error.
"""

from __future__ import annotations

from typing import ClassVar


class AwsError(Exception):
    """An error with AWS's wire identity: ``__type`` is ``code``, the body says ``message``."""

    code: ClassVar[str] = "InternalFailure"
    status: ClassVar[int] = 400

    def __init__(self, message: str = "") -> None:
        super().__init__(message)
        self.message = message

    def to_wire(self) -> dict[str, str]:
        return {"__type": self.code, "message": self.message}


class ClientError(AwsError):
    """The request was wrong; retrying it unchanged will fail the same way."""


class InternalFailure(AwsError):
    code = "InternalFailure"
    status = 500


# -- protocol ---------------------------------------------------------------------------


class SerializationException(ClientError):
    code = "SerializationException"


class UnknownOperationException(ClientError):
    code = "UnknownOperationException"


class ValidationException(ClientError):
    code = "ValidationException"


class InvalidParameterValueException(ClientError):
    code = "InvalidParameterValueException"


# -- authentication ---------------------------------------------------------------------


class MissingAuthenticationTokenException(ClientError):
    code = "MissingAuthenticationTokenException"


class IncompleteSignatureException(ClientError):
    code = "IncompleteSignatureException"


class UnrecognizedClientException(ClientError):
    code = "UnrecognizedClientException"


class InvalidSignatureException(ClientError):
    code = "InvalidSignatureException"


# -- paging -----------------------------------------------------------------------------


class InvalidNextTokenException(ClientError):
    code = "InvalidNextTokenException"


class InvalidLimitException(ClientError):
    code = "InvalidLimitException"


class InvalidTimeRangeException(ClientError):
    code = "InvalidTimeRangeException"


# -- recorder ---------------------------------------------------------------------------


class NoSuchConfigurationRecorderException(ClientError):
    code = "NoSuchConfigurationRecorderException"


class MaxNumberOfConfigurationRecordersExceededException(ClientError):
    code = "MaxNumberOfConfigurationRecordersExceededException"


class InvalidConfigurationRecorderNameException(ClientError):
    code = "InvalidConfigurationRecorderNameException"


class InvalidRoleException(ClientError):
    code = "InvalidRoleException"


class InvalidRecordingGroupException(ClientError):
    code = "InvalidRecordingGroupException"


class UnmodifiableEntityException(ClientError):
    code = "UnmodifiableEntityException"


class NoAvailableConfigurationRecorderException(ClientError):
    code = "NoAvailableConfigurationRecorderException"


class NoRunningConfigurationRecorderException(ClientError):
    code = "NoRunningConfigurationRecorderException"


class ConflictException(ClientError):
    code = "ConflictException"


# -- delivery channel -------------------------------------------------------------------


class NoSuchDeliveryChannelException(ClientError):
    code = "NoSuchDeliveryChannelException"


class MaxNumberOfDeliveryChannelsExceededException(ClientError):
    code = "MaxNumberOfDeliveryChannelsExceededException"


class InvalidDeliveryChannelNameException(ClientError):
    code = "InvalidDeliveryChannelNameException"


class NoAvailableDeliveryChannelException(ClientError):
    code = "NoAvailableDeliveryChannelException"


class LastDeliveryChannelDeleteFailedException(ClientError):
    code = "LastDeliveryChannelDeleteFailedException"


class NoSuchBucketException(ClientError):
    code = "NoSuchBucketException"


class InvalidS3KeyPrefixException(ClientError):
    code = "InvalidS3KeyPrefixException"


class InvalidS3KmsKeyArnException(ClientError):
    code = "InvalidS3KmsKeyArnException"


class InvalidSNSTopicARNException(ClientError):
    code = "InvalidSNSTopicARNException"


class InsufficientDeliveryPolicyException(ClientError):
    code = "InsufficientDeliveryPolicyException"


# -- resources and history --------------------------------------------------------------


class ResourceNotDiscoveredException(ClientError):
    code = "ResourceNotDiscoveredException"


class MaxActiveResourcesExceededException(ClientError):
    code = "MaxActiveResourcesExceededException"


class InsufficientPermissionsException(ClientError):
    code = "InsufficientPermissionsException"


# -- retention --------------------------------------------------------------------------


class NoSuchRetentionConfigurationException(ClientError):
    code = "NoSuchRetentionConfigurationException"


class MaxNumberOfRetentionConfigurationsExceededException(ClientError):
    code = "MaxNumberOfRetentionConfigurationsExceededException"


# -- tags -------------------------------------------------------------------------------


class ResourceNotFoundException(ClientError):
    code = "ResourceNotFoundException"


class TooManyTagsException(ClientError):
    code = "TooManyTagsException"


# -- rules and evaluations --------------------------------------------------------------


class NoSuchConfigRuleException(ClientError):
    code = "NoSuchConfigRuleException"


class MaxNumberOfConfigRulesExceededException(ClientError):
    code = "MaxNumberOfConfigRulesExceededException"


class ResourceInUseException(ClientError):
    code = "ResourceInUseException"


class InvalidResultTokenException(ClientError):
    code = "InvalidResultTokenException"


# -- aggregators ------------------------------------------------------------------------


class NoSuchConfigurationAggregatorException(ClientError):
    code = "NoSuchConfigurationAggregatorException"


class LimitExceededException(ClientError):
    code = "LimitExceededException"


# -- conformance packs ------------------------------------------------------------------


class AccessDeniedException(ClientError):
    """A generic AWS error: here, a customer API applied to a service-linked rule."""

    code = "AccessDeniedException"


class ConformancePackTemplateValidationException(ClientError):
    code = "ConformancePackTemplateValidationException"


class NoSuchConformancePackException(ClientError):
    code = "NoSuchConformancePackException"


class NoSuchConfigRuleInConformancePackException(ClientError):
    code = "NoSuchConfigRuleInConformancePackException"


class MaxNumberOfConformancePacksExceededException(ClientError):
    code = "MaxNumberOfConformancePacksExceededException"


# -- advanced query ---------------------------------------------------------------------


class InvalidExpressionException(ClientError):
    code = "InvalidExpressionException"


# -- remediation ------------------------------------------------------------------------


class NoSuchRemediationConfigurationException(ClientError):
    code = "NoSuchRemediationConfigurationException"


class RemediationInProgressException(ClientError):
    code = "RemediationInProgressException"


class NoSuchRemediationExceptionException(ClientError):
    code = "NoSuchRemediationExceptionException"


class NoAvailableOrganizationException(ClientError):
    code = "NoAvailableOrganizationException"
