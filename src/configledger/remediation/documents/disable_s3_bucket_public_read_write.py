"""AWS-DisableS3BucketPublicReadWrite: S3 Block Public Access on the bucket, all four
settings on (public ACLs and policies blocked and ignored)."""

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


def _block(clients: Clients, values: Values) -> None:
    clients("s3").put_public_access_block(
        Bucket=one(values, "S3BucketName"),
        PublicAccessBlockConfiguration={
            "BlockPublicAcls": True,
            "IgnorePublicAcls": True,
            "BlockPublicPolicy": True,
            "RestrictPublicBuckets": True,
        },
    )


DOCUMENT = Document(
    name="AWS-DisableS3BucketPublicReadWrite",
    parameters=(ASSUME_ROLE, Parameter("S3BucketName", required=True)),
    steps=(Step("DisableS3BucketPublicReadWrite", _block),),
)
