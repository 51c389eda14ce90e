"""The AWS regions an aggregator may name, from botocore's endpoint data.

"All AWS regions" means every region where AWS Config is offered in the aggregator's
partition (aws, aws-cn, aws-us-gov, ...), as botocore lists them; a region name outside
every list is refused, as AWS refuses it, except the caller's own region, which is
always one a ConfigLedger client can sign for.
"""

from __future__ import annotations

from functools import cache

import botocore.session

SERVICE = "config"


@cache
def _partitions() -> dict[str, tuple[str, ...]]:
    session = botocore.session.get_session()
    return {
        partition: tuple(session.get_available_regions(SERVICE, partition))
        for partition in session.get_available_partitions()
    }


def partition_regions(region: str) -> tuple[str, ...]:
    """The Config regions of the partition ``region`` is in (the commercial partition's,
    for a region botocore does not know)."""
    for regions in _partitions().values():
        if region in regions:
            return regions
    return _partitions().get("aws", ())


def is_known(region: str) -> bool:
    return any(region in regions for regions in _partitions().values())
