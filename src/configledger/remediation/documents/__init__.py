"""The SSM Automation documents ConfigLedger runs natively, one module each.

Adding one: a module declaring ``DOCUMENT`` and a line below. Any other document runs
as a real SSM automation against AWS (source "aws").
"""

from __future__ import annotations

from configledger.remediation.documents import (
    configure_s3_bucket_versioning,
    disable_public_access_for_security_group,
    disable_s3_bucket_public_read_write,
    enable_ebs_encryption_by_default,
    enable_s3_bucket_encryption,
    revoke_unused_iam_user_credentials,
)
from configledger.remediation.types import Document

NATIVE: dict[str, Document] = {
    module.DOCUMENT.name: module.DOCUMENT
    for module in (
        disable_s3_bucket_public_read_write,
        enable_s3_bucket_encryption,
        configure_s3_bucket_versioning,
        disable_public_access_for_security_group,
        enable_ebs_encryption_by_default,
        revoke_unused_iam_user_credentials,
    )
}
