"""Random policies over random items, evaluated by our engine and by the reference engine
(cfn-guard, through cfn-guard-rs): the per-rule statuses must agree.

The generator writes what CUSTOM_POLICY rules are made of (keys, ``[*]``, indices,
filters, ``some``, every operator with literals of every kind, ``or``, ``when``, query
blocks, rule references) over small items whose values mix kinds, so the corners of
Guard's comparison rules (a list against a scalar, an int against a float, a missing
key against ``not exists``) come up often. Forms on which the two engines are known to
differ, listed in the conformance corpus with the reason, are not generated; a policy
the reference engine refuses to evaluate (it raises on ``empty`` over a number, for
instance) is not compared.
"""

from __future__ import annotations

import json
import random
from typing import Any

import pytest

from configledger.rules import guard

SEEDS = range(500)
KEYS = ["a", "b", "c", "tags"]
SCALARS: list[Any] = [0, 1, 2, 1.5, "x", "y", "", True, False, None]


def random_value(rng: random.Random, depth: int) -> Any:
    roll = rng.random()
    if depth <= 0 or roll < 0.45:
        return rng.choice(SCALARS)
    if roll < 0.7:
        return [random_value(rng, depth - 1) for _ in range(rng.randint(0, 3))]
    return {key: random_value(rng, depth - 1) for key in rng.sample(KEYS, rng.randint(0, 3))}


def random_document(rng: random.Random) -> dict[str, Any]:
    return {
        "resourceType": rng.choice(["AWS::EC2::Volume", "AWS::S3::Bucket"]),
        "configuration": {key: random_value(rng, 3) for key in rng.sample(KEYS, 3)},
        "tags": {"env": rng.choice(["prod", "dev"])},
    }


def random_query(rng: random.Random, depth: int = 2) -> str:
    parts = ["configuration", rng.choice(KEYS)]
    for _ in range(rng.randint(0, 2)):
        roll = rng.random()
        if roll < 0.4:
            parts.append("." + rng.choice(KEYS))
        elif roll < 0.65:
            parts.append("[*]")
        elif roll < 0.75:
            parts.append(f"[{rng.randint(0, 2)}]")
        elif roll < 0.85:
            parts.append(".*")
        elif depth > 0:
            parts.append(f"[ {random_comparison(rng, depth - 1, relative=True)} ]")
    text = parts[0] + "." + "".join(parts[1:])
    return text.replace("..", ".").replace(".[", "[")


def random_literal(rng: random.Random) -> str:
    roll = rng.random()
    if roll < 0.5:
        return json.dumps(rng.choice([v for v in SCALARS if v is not None]))
    if roll < 0.6:
        return "null"
    if roll < 0.75:
        items = [json.dumps(rng.choice(SCALARS[:7])) for _ in range(rng.randint(1, 3))]
        return "[" + ", ".join(items) + "]"
    if roll < 0.85:
        return rng.choice(["/x/", "/^y$/", "/(?i)X/"])
    return rng.choice(["r[0, 2]", "r(0, 2)", "r[1, 1]"])


def random_comparison(rng: random.Random, depth: int, relative: bool = False) -> str:
    query = random_query(rng, depth)
    if relative:
        query = query.split(".", 1)[1]  # inside a filter, relative to the element
    some = "some " if rng.random() < 0.2 else ""
    roll = rng.random()
    if roll < 0.35:
        negation = rng.choice(["", "", "not ", "!"])
        operator = rng.choice(["exists", "is_string", "is_list", "is_struct", "is_int", "is_bool"])
        return f"{some}{query} {negation}{operator}"
    if roll < 0.45:
        return f"{some}{query} {rng.choice(['', 'not ', '!'])}empty"
    operator = rng.choice(["==", "!=", "<", "<=", ">", ">=", "in", "not in"])
    literal = random_literal(rng)
    if literal.startswith("r") and operator not in ("in", "not in"):
        operator = "in"
    return f"{some}{query} {operator} {literal}"


def random_clause(rng: random.Random, rules: list[str]) -> str:
    roll = rng.random()
    if roll < 0.1 and rules:
        return rng.choice(["", "not "]) + rng.choice(rules) + "\n"
    if roll < 0.2:
        return f"when {random_comparison(rng, 1)} {{\n    {random_comparison(rng, 1)}\n}}"
    if roll < 0.3:
        inner = random_comparison(rng, 1, relative=True)
        return f"{random_query(rng, 1)} {{\n    {inner}\n}}"
    clause = random_comparison(rng, 2)
    if rng.random() < 0.25:
        clause += f" or\n    {random_comparison(rng, 1)}"
    return clause


def random_policy(rng: random.Random) -> str:
    rules: list[str] = []
    text = []
    for index in range(rng.randint(1, 3)):
        name = f"rule{index}"
        when = ""
        if rng.random() < 0.4:
            when = " when " + rng.choice(
                ["resourceType == 'AWS::EC2::Volume'", random_comparison(rng, 1), *rules]
            )
        body = "\n    ".join(random_clause(rng, rules) for _ in range(rng.randint(1, 3)))
        text.append(f"rule {name}{when} {{\n    {body}\n}}\n")
        rules.append(name)
    return "\n".join(text)


@pytest.mark.parametrize("seed", SEEDS)
def test_random_policy_agrees_with_reference_engine(seed: int) -> None:
    reference = pytest.importorskip("cfn_guard_rs.cfn_guard_rs")
    rng = random.Random(seed)
    policy, document = random_policy(rng), random_document(rng)
    ours = guard.evaluate(guard.parse(policy), document)
    try:
        report = json.loads(reference.run_checks_rs(json.dumps(document), policy, False))
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as error:  # refused, or panicked (pyo3 panics are BaseException)
        pytest.skip(f"reference engine raised {type(error).__name__}")
    theirs = {name: "PASS" for name in report["compliant"]}
    theirs |= {name: "SKIP" for name in report["not_applicable"]}
    theirs |= {clause["Rule"]["name"]: "FAIL" for clause in report["not_compliant"]}
    ours_rules = {name: str(status) for name, status in ours.rules.items()}
    assert ours_rules == theirs, f"policy:\n{policy}\ndocument: {json.dumps(document)}"
