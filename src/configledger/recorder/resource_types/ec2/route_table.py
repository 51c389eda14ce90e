"""AWS::EC2::RouteTable.

The document is DescribeRouteTables' record in lowerCamel (routes, associations,
propagatingVgws); ``availabilityZone`` is "Not Applicable". The one edge AWS Config is
documented to show is "Is contained in Vpc" (the VPC shows "Contains RouteTable"); subnet
associations stay in ``configuration.associations`` (spec section 4).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from configledger.recorder.resource_types.ec2._targeted import by_id
from configledger.recorder.types import (
    Described,
    Raw,
    Relation,
    ResourceType,
    Scope,
    lower_camel,
    tags_from_list,
)


def fetch(client: Any, scope: Scope) -> Iterable[Raw]:
    for page in client.get_paginator("describe_route_tables").paginate():
        yield from page["RouteTables"]


def describe(client: Any, scope: Scope, ids: list[str]) -> Iterable[Raw]:
    return client.describe_route_tables(RouteTableIds=ids)["RouteTables"]  # type: ignore[no-any-return]


def transform(raw: Raw, scope: Scope) -> Described:
    table_id = raw["RouteTableId"]
    configuration: dict[str, Any] = lower_camel(raw)
    configuration.setdefault("tags", [])
    configuration.setdefault("propagatingVgws", [])
    return Described(
        resource_id=table_id,
        arn=f"arn:{scope.partition}:ec2:{scope.region}:{scope.account_id}:route-table/{table_id}",
        availability_zone="Not Applicable",
        configuration=configuration,
        tags=tags_from_list(raw.get("Tags")),
        relations=(
            Relation(
                "Is contained in Vpc", "AWS::EC2::VPC", raw["VpcId"], inverse="Contains RouteTable"
            ),
        ),
    )


RESOURCE_TYPE = ResourceType(
    type_name="AWS::EC2::RouteTable",
    service="ec2",
    fetch=fetch,
    transform=transform,
    targeted=by_id(
        "routeTableId",
        "rtb",
        describe,
        "InvalidRouteTableID.NotFound",
        # the association moves from a table the event does not name
        listing_events=frozenset({"ReplaceRouteTableAssociation"}),
    ),
    events=frozenset(
        {
            "CreateRouteTable",
            "DeleteRouteTable",
            "CreateRoute",
            "DeleteRoute",
            "ReplaceRoute",
            "AssociateRouteTable",
            "DisassociateRouteTable",
            "ReplaceRouteTableAssociation",
            "EnableVgwRoutePropagation",
            "DisableVgwRoutePropagation",
            "CreateTags",
            "DeleteTags",
            # A VPC is created and deleted with its main route table.
            "CreateVpc",
            "CreateDefaultVpc",
            "DeleteVpc",
        }
    ),
)
