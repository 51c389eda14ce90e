"""What a native SSM Automation document declares: its AWS name, its parameters (as
AWS's runbook reference lists them) and its steps, each a thin function over boto3
clients. The engine validates parameters, runs the steps in order and reports each as
a RemediationExecutionStep; a step fails by raising."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

Values = Mapping[str, Sequence[str]]  # parameter name -> its values (SSM passes lists)


@dataclass(frozen=True, slots=True)
class Clients:
    """What a step acts through: ``clients("s3")`` is a boto3 client of the account and
    region; ``now`` is the run's time from the runtime clock, so a document that judges
    ages (unused credentials) agrees with the rules that judged them, moved clock or not."""

    make: Callable[[str], Any]
    now: datetime

    def __call__(self, service: str) -> Any:
        return self.make(service)


class DocumentFailed(Exception):
    """A step could not do its work; the message becomes the step's ErrorMessage."""


@dataclass(frozen=True, slots=True)
class Parameter:
    name: str
    required: bool = False
    default: str | None = None
    allowed: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Step:
    name: str
    run: Callable[[Clients, Values], None]


@dataclass(frozen=True, slots=True)
class Document:
    name: str
    parameters: tuple[Parameter, ...]
    steps: tuple[Step, ...]


ASSUME_ROLE = Parameter("AutomationAssumeRole")


def one(values: Values, name: str) -> str:
    """The single value of a String parameter."""
    found = values.get(name) or ()
    if not found:
        raise DocumentFailed(f"Parameter {name} has no value")
    return str(found[0])


def resolve(document: Document, given: Values) -> dict[str, list[str]]:
    """The parameters a run gets: defaults filled in, unknown, missing and disallowed
    values refused the way SSM refuses them at StartAutomationExecution."""
    known = {p.name: p for p in document.parameters}
    unknown = sorted(set(given) - set(known))
    if unknown:
        raise DocumentFailed(
            f"Parameter {unknown[0]} does not exist in the document {document.name}"
        )
    out: dict[str, list[str]] = {}
    for parameter in document.parameters:
        values = [str(v) for v in given.get(parameter.name) or ()]
        if not values and parameter.default is not None:
            values = [parameter.default]
        if not values:
            if parameter.required:
                raise DocumentFailed(f"Parameter {parameter.name} is required")
            continue
        bad = [v for v in values if parameter.allowed and v not in parameter.allowed]
        if bad:
            raise DocumentFailed(
                f"Parameter {parameter.name} value {bad[0]} is not one of "
                f"{', '.join(parameter.allowed)}"
            )
        out[parameter.name] = values
    return out
