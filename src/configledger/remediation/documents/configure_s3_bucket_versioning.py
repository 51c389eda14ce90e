"""AWS-ConfigureS3BucketVersioning: the bucket's versioning Enabled (or Suspended)."""

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


def _configure(clients: Clients, values: Values) -> None:
    clients("s3").put_bucket_versioning(
        Bucket=one(values, "BucketName"),
        VersioningConfiguration={"Status": one(values, "VersioningState")},
    )


DOCUMENT = Document(
    name="AWS-ConfigureS3BucketVersioning",
    parameters=(
        ASSUME_ROLE,
        Parameter("BucketName", required=True),
        Parameter("VersioningState", default="Enabled", allowed=("Enabled", "Suspended")),
    ),
    steps=(Step("ConfigureVersioning", _configure),),
)
