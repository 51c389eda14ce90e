"""CloudFormation Guard 2.0 policies, the language of CUSTOM_POLICY rules.

Usage::

    from configledger.rules import guard

    policy = guard.parse(text)                  # GuardSyntaxError(message, line, column)
    result = guard.evaluate(policy, item)       # GuardResult
    result.status                               # Status.PASS / FAIL / SKIP, overall
    result.rules                                # {"rule name": Status, ...} in policy order
    result.messages                             # failing clauses: <<custom>> or detail
    verdict = guard.verdict(result)             # rules.types.Verdict for AWS Config

``item`` is a configuration item in the form AWS Config hands to Guard: a JSON-like
document with ``resourceType``, ``configuration``, ``supplementaryConfiguration`` and
``tags`` as objects. A parsed ``Policy`` is immutable and may be shared across threads
and evaluated any number of times.

The language is built in layers: ``guard.ebnf`` (the grammar, in EBNF) -> ``lex.py``
(tokens with line and column) -> ``parse.py`` (tokens -> ``ast.py``'s frozen
dataclasses, then a check of rule and variable names) -> ``evaluate.py`` (AST x
document -> PASS/FAIL/SKIP per rule). ``compliance.py`` maps a result to AWS Config's
compliance. The conformance cases under ``tests/guard/conformance`` pin the behaviour;
they, and a differential test over random policies, are checked against the reference
engine (cfn-guard 3, through ``cfn-guard-rs``) when it is installed.

Why a hand-written parser rather than a parser generator: Guard's grammar leans on
layout in ways a context-free grammar states badly. A query ends where whitespace
begins (``a.b == c`` then ``d exists`` on the next line are two clauses), a bare name
is a rule reference while the same name followed by an operator is a query, ``{``
opens a query block except after ``when`` conditions where it opens the body, and
``r[`` is a range only in value position. The reference implementation is a
hand-written combinator parser for the same reasons. Recursive descent over a small
lexer states each of these decisions in one visible place, reports errors in the
user's terms ("expected an operator after the query 'configuration.size'") at the
exact line and column, adds no dependency, and parses a policy in well under a
millisecond. The grammar still lives in its own file, ``guard.ebnf``, one production
per parser method.

Where we answer differently from cfn-guard 3.0.1, on purpose:

* ``not <comparison>`` negates the comparison (cfn-guard negates unary ones but
  evaluates ``not a == b`` as ``a == b``).
* A variable bound to a literal list is a list like any other: ``%ports[*]`` visits its
  elements (cfn-guard keeps the list whole there).
* ``empty`` on a number, a boolean or null fails the clause (cfn-guard stops with an
  error); a rule cycle is a syntax error (cfn-guard overflows its stack).
* The parser is a little more forgiving: a rule reference may share its line with the
  closing ``}`` and carry its message on the next line, names may start with ``_``,
  lists may end with a comma, and ``-1.5`` is a number. It is stricter in one place: a
  ``<<`` message left open before the next ``<<`` is an error, where cfn-guard would
  silently swallow the clauses in between.

Not supported: Guard 3's built-in functions (``count``, ``regex_replace``, ...),
parameterized rules, and the ``Resources``-oriented CloudFormation conveniences; AWS
Config runs Guard 2 policies against configuration items, which need none of them.
"""

from __future__ import annotations

from .ast import Policy
from .compliance import ANNOTATION_LIMIT, verdict
from .errors import GuardSyntaxError
from .evaluate import Failure, GuardResult, Status, evaluate
from .parse import parse

__all__ = [
    "ANNOTATION_LIMIT",
    "Failure",
    "GuardResult",
    "GuardSyntaxError",
    "Policy",
    "Status",
    "evaluate",
    "parse",
    "verdict",
]
