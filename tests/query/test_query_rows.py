"""The query form of an item: every leaf under its flattened path, addresses as ranges."""

from __future__ import annotations

import ipaddress
import json

import pytest

from configledger.history.items import ConfigurationItem, ItemStatus, Relationship
from configledger.store.query_rows import ipv4_range, properties


@pytest.mark.parametrize(
    "text",
    ["10.0.0.0/24", "10.0.0.7/32", "0.0.0.0/0", "192.168.1.10", "10.1.2.3/16", "255.255.255.255"],
)
def test_ipv4_range_matches_the_standard_library(text: str) -> None:
    network = ipaddress.IPv4Network(text, strict=False)
    assert ipv4_range(text) == (int(network.network_address), int(network.broadcast_address))


@pytest.mark.parametrize(
    "text", ["256.1.1.1", "1.2.3.4/33", "10.0.0", "10.0.0.0/", "v10.0.0.1", "::1"]
)
def test_not_an_address(text: str) -> None:
    assert ipv4_range(text) is None


def test_properties_flatten_arrays_and_keep_types() -> None:
    item = ConfigurationItem(
        account_id="123456789012",
        aws_region="us-east-1",
        resource_type="AWS::EC2::SecurityGroup",
        resource_id="sg-1",
        capture_ms=1,
        state_id=1,
        status=ItemStatus.OK,
        configuration=json.dumps(
            {
                "ipPermissions": [
                    {"fromPort": 22, "ipRanges": ["10.0.0.0/24", "0.0.0.0/0"]},
                    {"fromPort": 443, "ipRanges": [], "open": True, "gone": None},
                ],
                "empty": {},
            }
        ),
        tags={"Name": "web"},
        relationships=(Relationship("AWS::EC2::VPC", "Is contained in Vpc", "vpc-1"),),
        supplementary_configuration={"Policy": json.dumps({"status": "Off"}), "Raw": "text"},
    )
    assert properties(item) == {
        "configuration.ipPermissions.fromPort": [22, 443],
        "configuration.ipPermissions.ipRanges": ["10.0.0.0/24", "0.0.0.0/0"],
        "cidr:configuration.ipPermissions.ipRanges": [[167772160, 167772415], [0, 4294967295]],
        "configuration.ipPermissions.open": [True],
        "supplementaryConfiguration.Policy.status": ["Off"],
        "supplementaryConfiguration.Raw": ["text"],
        "tags.key": ["Name"],
        "tags.value": ["web"],
        "tags.tag": ["Name=web"],
        "tag:Name": ["web"],
        "relationships.resourceType": ["AWS::EC2::VPC"],
        "relationships.relationshipName": ["Is contained in Vpc"],
        "relationships.resourceId": ["vpc-1"],
    }


def test_rebuild_gives_the_rows_the_write_path_keeps(tmp_path: object) -> None:
    """What migration 0005 runs over a store recorded before it: the same rows."""
    from sqlalchemy import delete, select

    from configledger.history.items import ResourceKey
    from configledger.history.recording import Observation, record, record_deletion
    from configledger.query.projection import QueryProjection
    from configledger.store.database import open_database
    from configledger.store.queries import rebuild_query_rows
    from configledger.store.schema import query_resources

    database = open_database(f"sqlite:///{tmp_path}/rebuild.db")
    try:
        for index in range(5):
            key = ResourceKey("123456789012", "us-east-1", "Acme::Rebuild::Thing", f"t{index}")
            for version in range(2):
                record(
                    database,
                    Observation(key, json.dumps({"v": version, "ip": "10.0.0.1"}), tags={"n": "x"}),
                    now_ms=1_000 + index * 10 + version,
                    custom=True,
                )
        gone = ResourceKey("123456789012", "us-east-1", "Acme::Rebuild::Thing", "t4")
        record_deletion(database, gone, now_ms=5_000)
        assert QueryProjection(database).catch_up() == 5  # newest item of each, not older
        with database.read() as conn:
            kept = conn.execute(
                select(query_resources).order_by(query_resources.c.resource_id)
            ).all()
        with database.write() as conn:
            conn.execute(delete(query_resources))
            assert rebuild_query_rows(conn) == 4
        with database.read() as conn:
            rebuilt = conn.execute(
                select(query_resources).order_by(query_resources.c.resource_id)
            ).all()
        assert [r.resource_id for r in kept] == ["t0", "t1", "t2", "t3"]
        assert rebuilt == kept
    finally:
        database.dispose()
