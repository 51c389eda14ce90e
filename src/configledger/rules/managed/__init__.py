"""The registry of managed rules: one module per identifier, one line per module here.

Each module defines ``RULE``; ``MANAGED_RULES`` maps its identifier to it. A meta test
holds every entry to AWS's managed-rule catalogue (identifier, parameters, types).
"""

from __future__ import annotations

from importlib import import_module

from configledger.rules.types import ManagedRule

_MODULES = [
    "incoming_ssh_disabled",
]

MANAGED_RULES: dict[str, ManagedRule] = {}
for _name in _MODULES:
    _rule: ManagedRule = import_module(f"{__name__}.{_name}").RULE
    MANAGED_RULES[_rule.identifier] = _rule
