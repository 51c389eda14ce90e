"""Multi-account, multi-region aggregation (spec 2.9, 9.3).

An aggregator in account A, region R names source accounts and regions. A source
partition (account S, region r) is visible to it only when S is A itself or S granted
(A, R) an aggregation authorization in region r; until then S sees a pending request.

    regions.py  the AWS regions an "all regions" aggregator covers
    scope.py    which (account, region) partitions an aggregator may see, and the status
                of each of its sources: the one function every aggregate read goes through
    pending.py  the requests a source sees from aggregators it has not authorized
    inventory.py  the aggregate inventory reads (list, get, batch get, counts)

Aggregated data is not copied: the aggregate reads run on the sources' own partitions of
the store, restricted to the visible ones, so they are never stale.
"""
