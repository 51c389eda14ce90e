"""AWS Config's service model, loaded once from the installed botocore.

Operation names, input shapes, error shapes and the target prefix all come from here;
nothing in ConfigLedger spells out a shape by hand.
"""

from __future__ import annotations

from functools import cache

import botocore.session
from botocore.model import OperationModel, ServiceModel


@cache
def config_model() -> ServiceModel:
    return botocore.session.get_session().get_service_model("config")


@cache
def target_prefix() -> str:
    return str(config_model().metadata["targetPrefix"])


@cache
def operation(name: str) -> OperationModel | None:
    """The named operation, or None when the model has no such operation."""
    model = config_model()
    if name not in model.operation_names:
        return None
    return model.operation_model(name)


@cache
def error_codes() -> frozenset[str]:
    return frozenset(shape.name for shape in config_model().error_shapes)
