"""API operations, one module per area; importing this package registers them all."""

from configledger.operations import aggregators as aggregators
from configledger.operations import delivery, recorder, resources, retention, tags
from configledger.operations.registry import OPERATIONS

__all__ = ["OPERATIONS", "delivery", "recorder", "resources", "retention", "tags"]
