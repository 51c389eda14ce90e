"""API operations, one module per area; importing this package registers them all."""

from configledger.operations import (
    aggregate_compliance,
    aggregate_query,
    aggregators,
    compliance,
    conformance,
    delivery,
    query,
    recorder,
    remediation,
    resources,
    retention,
    rules,
    tags,
)
from configledger.operations.registry import OPERATIONS

__all__ = ["OPERATIONS", "delivery", "recorder", "resources", "retention", "tags"]
__all__ += ["compliance", "rules"]
__all__ += ["conformance"]
__all__ += ["query"]
__all__ += ["remediation"]
__all__ += ["aggregators"]
__all__ += ["aggregate_compliance", "aggregate_query"]
