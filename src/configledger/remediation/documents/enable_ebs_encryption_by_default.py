"""AWSConfigRemediation-EnableEbsEncryptionByDefault: EBS encryption by default on in
the account's region, then verified."""

from __future__ import annotations

from configledger.remediation.types import (
    ASSUME_ROLE,
    Clients,
    Document,
    DocumentFailed,
    Parameter,
    Step,
    Values,
)


def _enable(clients: Clients, values: Values) -> None:
    clients("ec2").enable_ebs_encryption_by_default()


def _verify(clients: Clients, values: Values) -> None:
    if not clients("ec2").get_ebs_encryption_by_default().get("EbsEncryptionByDefault"):
        raise DocumentFailed("EBS encryption by default is still disabled")


DOCUMENT = Document(
    name="AWSConfigRemediation-EnableEbsEncryptionByDefault",
    parameters=(Parameter(ASSUME_ROLE.name, required=True),),
    steps=(Step("ModifyAccount", _enable), Step("VerifyEbsEncryptionByDefault", _verify)),
)
