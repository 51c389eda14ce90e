"""AWS::DynamoDB::Table.

AWS Config identifies and names a table by its name. The document is DescribeTable's
``Table``, serialised the Java-bean way AWS Config uses for this type: a key's whole
leading run of capitals is lowered (``SSEDescription`` -> ``ssedescription``,
``KMSMasterKeyArn`` -> ``kmsmasterKeyArn``, as in awslabs/aws-config-resource-schema)
and timestamps are epoch milliseconds. DescribeContinuousBackups' description is the
supplementary ``ContinuousBackupsDescription``; tags come from ListTagsOfResource.
A table has no zone: "Not Applicable". It declares no relationships.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from configledger.recorder.types import (
    Described,
    Raw,
    ResourceType,
    Scope,
    bean,
    epoch_ms,
    tags_from_list,
)


def fetch(client: Any, scope: Scope) -> Iterator[Raw]:
    for page in client.get_paginator("list_tables").paginate():
        for name in page["TableNames"]:
            table = client.describe_table(TableName=name)["Table"]
            backups = client.describe_continuous_backups(TableName=name)
            tags = [
                tag
                for tags_page in client.get_paginator("list_tags_of_resource").paginate(
                    ResourceArn=table["TableArn"]
                )
                for tag in tags_page.get("Tags", [])
            ]
            yield {
                "Table": table,
                "ContinuousBackupsDescription": backups["ContinuousBackupsDescription"],
                "Tags": tags,
            }


def transform(raw: Raw, scope: Scope) -> Described:
    table = raw["Table"]
    return Described(
        resource_id=table["TableName"],
        resource_name=table["TableName"],
        arn=table["TableArn"],
        availability_zone="Not Applicable",
        resource_creation_ms=epoch_ms(table.get("CreationDateTime")),
        configuration=bean(table),
        tags=tags_from_list(raw["Tags"]),
        supplementary={"ContinuousBackupsDescription": bean(raw["ContinuousBackupsDescription"])},
    )


RESOURCE_TYPE = ResourceType(
    type_name="AWS::DynamoDB::Table",
    service="dynamodb",
    fetch=fetch,
    transform=transform,
    events=frozenset(
        {
            "CreateTable",
            "UpdateTable",
            "DeleteTable",
            "RestoreTableFromBackup",
            "RestoreTableToPointInTime",
            "ImportTable",
            "CreateGlobalTable",
            "UpdateGlobalTable",
            "UpdateContinuousBackups",
            "TagResource",
            "UntagResource",
        }
    ),
)
