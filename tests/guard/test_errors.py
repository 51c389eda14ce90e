"""Policies that do not parse: each names the line and column of the trouble."""

from __future__ import annotations

import pytest

from configledger.rules import guard

CASES = [
    # (name, policy, line, column, words the message must contain)
    ("missing operator", "rule r {\n    configuration.size\n}", 3, 1, "expected an operator"),
    (
        "operator without operand",
        "rule r {\n    configuration.size ==\n}",
        3,
        1,
        "expected a value",
    ),
    ("unclosed block", "rule r {\n    configuration.size > 1\n", 3, 1, "expected '}'"),
    (
        "unclosed string",
        "rule r {\n    configuration.state == 'available\n}",
        2,
        28,
        "string is never closed",
    ),
    ("unclosed message", "rule r {\n  tags exists << oops\n}", 2, 15, "'>>'"),
    (
        "message left open before the next one",
        "rule r {\n  tags exists << forgot\n  tags.env == 'x' << env >>\n}",
        2,
        15,
        "never closed",
    ),
    ("unclosed regex", "rule r { resourceId == /abc }", 1, 24, "never closed"),
    ("invalid regex", "rule r {\n  resourceId == /a(b/\n}", 2, 17, "invalid regular expression"),
    ("unknown rule", "rule r {\n    other_rule\n}", 2, 5, "no rule named 'other_rule'"),
    (
        "unknown variable",
        "rule r {\n    configuration.size == %limit\n}",
        2,
        27,
        "%limit is not defined",
    ),
    (
        "variable out of scope",
        "rule a {\n  let x = 1\n  tags exists\n}\nrule b { tags.a == %x }",
        5,
        20,
        "%x",
    ),
    ("dot without key", "rule r { configuration. == 1 }", 1, 25, "expected a key right after '.'"),
    ("variable without name", "rule r { % == 1 }", 1, 12, "variable name right after '%'"),
    ("rule cycle", "rule a {\n  b\n}\nrule b {\n  a\n}", 1, 1, "depend on themselves"),
    ("stray closing brace", "rule r { tags exists }\n}", 2, 1, "unexpected '}'"),
    ("empty block", "rule r {\n}", 2, 1, "at least one clause"),
    ("rule without name", "rule { tags exists }", 1, 6, "expected a rule name"),
    (
        "unexpected character",
        "rule r {\n  tags.env == 'prod' ;\n}",
        2,
        22,
        "unexpected character ';'",
    ),
    (
        "string range bound",
        "rule r { configuration.size in r['a', 'b'] }",
        1,
        34,
        "number as a range bound",
    ),
    ("bad range close", "rule r { configuration.size in r[1, 2 }", 1, 39, "']' or ')'"),
    ("not before ==", "rule r { configuration.size not == 1 }", 1, 29, "'not' cannot precede '=='"),
    ("let without value", "let x =\nrule r { tags exists }", 2, 1, "expected a value or a query"),
    (
        "empty brackets",
        "rule r { configuration.attachments[] exists }",
        1,
        36,
        "'*', an index or a filter",
    ),
    ("when without block", "rule r {\n  when tags exists\n}", 3, 1, "expected"),
    (
        "list missing comma",
        "rule r { configuration.volumeType in ['gp2' 'gp3'] }",
        1,
        45,
        "expected ',' or ']'",
    ),
]


@pytest.mark.parametrize(
    ("policy", "line", "column", "words"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_syntax_error_names_line_and_column(
    policy: str, line: int, column: int, words: str
) -> None:
    with pytest.raises(guard.GuardSyntaxError) as caught:
        guard.parse(policy)
    error = caught.value
    assert words in error.message
    assert (error.line, error.column) == (line, column), str(error)
    assert str(error).startswith(f"line {line}, column {column}: ")


def test_reference_engine_rejects_the_same_policies() -> None:
    """The policies above are invalid for cfn-guard too, except those it reads otherwise:
    it reads "let x =" followed by "rule" as a query, lets a
    message left open swallow the clauses up to the next ">>", and crashes (stack
    overflow) on a rule cycle instead of reporting it."""
    reference = pytest.importorskip("cfn_guard_rs.cfn_guard_rs")
    lenient = {
        "rule cycle",
        "let without value",
        "message left open before the next one",
    }
    checked = 0
    for name, policy, *_ in CASES:
        if name in lenient:
            continue
        with pytest.raises(Exception):  # noqa: B017 - any refusal will do
            reference.run_checks_rs("{}", policy, False)
        checked += 1
    assert checked >= 15


def test_valid_policy_parses_into_rules_and_lets() -> None:
    policy = guard.parse(
        "let allowed = ['gp3']\n"
        "rule a when resourceType == 'AWS::EC2::Volume' {\n"
        "    configuration.volumeType in %allowed\n"
        "}\n"
        "configuration.size > 1\n"
    )
    assert [rule.name for rule in policy.rules] == ["a", "default"]
    assert [let.name for let in policy.lets] == ["allowed"]
