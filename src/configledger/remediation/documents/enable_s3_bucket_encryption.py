"""AWS-EnableS3BucketEncryption: default server-side encryption on the bucket."""

from __future__ import annotations

from configledger.remediation.types import (
    ASSUME_ROLE,
    Clients,
    Document,
    Parameter,
    Step,
    Values,
    one,
)


def _encrypt(clients: Clients, values: Values) -> None:
    clients("s3").put_bucket_encryption(
        Bucket=one(values, "BucketName"),
        ServerSideEncryptionConfiguration={
            "Rules": [
                {
                    "ApplyServerSideEncryptionByDefault": {
                        "SSEAlgorithm": one(values, "SSEAlgorithm")
                    }
                }
            ]
        },
    )


DOCUMENT = Document(
    name="AWS-EnableS3BucketEncryption",
    parameters=(
        ASSUME_ROLE,
        Parameter("BucketName", required=True),
        Parameter("SSEAlgorithm", default="AES256", allowed=("AES256", "aws:kms")),
    ),
    steps=(Step("PutBucketEncryption", _encrypt),),
)
