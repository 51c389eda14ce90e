"""The aggregation requests a source account sees (DescribePendingAggregationRequests).

A request is not a stored object: it is what the aggregators that name an account say,
seen from that account's side. Source partition (S, r) has a request from (A, R) while
some aggregator of account A in region R lists S among its sources and r among its
regions, S has not authorized (A, R) in r, and S has not deleted the request since that
aggregator was last put. Authorizing, deleting the request, or the aggregator dropping S
(or being deleted) ends it; putting the aggregator again after a deletion asks again.
"""

from __future__ import annotations

from sqlalchemy import Connection

from configledger.aggregation.scope import requested_regions
from configledger.store import aggregators as store
from configledger.store.aggregators import Partition


def pending_requests(conn: Connection, account_id: str, region: str) -> list[Partition]:
    """(requester account, requester region) of each pending request, sorted."""
    newest_put: dict[Partition, int] = {}
    for aggregator in store.aggregators_naming(conn, account_id):
        if aggregator.account_id == account_id or region not in requested_regions(aggregator):
            continue
        requester = (aggregator.account_id, aggregator.region)
        newest_put[requester] = max(newest_put.get(requester, 0), aggregator.updated_ms)
    if not newest_put:
        return []
    authorized = store.authorized_requesters(conn, account_id, region)
    dismissed = store.dismissed_requests(conn, account_id, region)
    return sorted(
        requester
        for requester, put_ms in newest_put.items()
        if requester not in authorized and dismissed.get(requester, -1) < put_ms
    )
