"""Guard text -> ``Policy``: a recursive-descent parser over ``lex.tokenize``.

One method per production of ``guard.ebnf``. Every error names the line and column of
the token that could not be understood, and says what was expected there. After the
tree is built, names are checked (every ``%variable`` is defined in an enclosing scope,
every rule a clause refers to exists, rules do not depend on themselves), so a policy
that parses also evaluates.
"""

from __future__ import annotations

import dataclasses
import re

from . import ast
from .errors import GuardSyntaxError
from .lex import Token, tokenize

_UNARY = {op: op for op in ast.UNARY_OPERATORS} | {op.upper(): op for op in ast.UNARY_OPERATORS}
_BINARY_PUNCT = frozenset({"==", "!=", "<", "<=", ">", ">="})
_IN = frozenset({"in", "IN"})
_NOT = frozenset({"not", "NOT"})
_OR = frozenset({"or", "OR"})
_SOME = frozenset({"some", "SOME"})
_TRUE = frozenset({"true", "True", "TRUE"})
_FALSE = frozenset({"false", "False", "FALSE"})
_NULL = frozenset({"null", "NULL"})
_KEYS = frozenset({"keys", "KEYS"})
# Words that cannot start a query (a property of that name can still be reached after a
# dot, or quoted).
_RESERVED = (
    _NOT | _OR | _SOME | _IN | _TRUE | _FALSE | _NULL | frozenset(_UNARY)
    | _KEYS
    | frozenset({"rule", "let", "when", "this"})
)  # fmt: skip


def parse(text: str) -> ast.Policy:
    """Parse a policy; raises ``GuardSyntaxError`` naming the line and column."""
    policy = _Parser(text).policy()
    _check_names(policy)
    return policy


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = tokenize(text)
        self.pos = 0

    # -- token helpers ------------------------------------------------------------------

    @property
    def tok(self) -> Token:
        return self.tokens[self.pos]

    def peek(self, ahead: int = 1) -> Token:
        return self.tokens[min(self.pos + ahead, len(self.tokens) - 1)]

    def advance(self) -> Token:
        token = self.tokens[self.pos]
        if token.kind != "eof":
            self.pos += 1
        return token

    def is_punct(self, text: str, token: Token | None = None) -> bool:
        token = token or self.tok
        return token.kind == "punct" and token.text == text

    def is_word(self, words: frozenset[str] | str, token: Token | None = None) -> bool:
        token = token or self.tok
        if token.kind != "name":
            return False
        return token.text == words if isinstance(words, str) else token.text in words

    def error(self, message: str, token: Token | None = None) -> GuardSyntaxError:
        token = token or self.tok
        return GuardSyntaxError(message, token.line, token.column)

    def describe(self, token: Token | None = None) -> str:
        token = token or self.tok
        if token.kind == "eof":
            return "the end of the policy"
        if token.kind == "string":
            return f"string {token.text!r}"
        if token.kind == "message":
            return "a custom message"
        if token.kind == "regex":
            return f"regex /{token.text}/"
        return repr(token.text)

    def expect_punct(self, text: str, context: str) -> Token:
        if not self.is_punct(text):
            raise self.error(f"expected '{text}' {context}, found {self.describe()}")
        return self.advance()

    def location(self, token: Token | None = None) -> ast.Location:
        token = token or self.tok
        return ast.Location(token.line, token.column)

    # -- policy, rules, blocks ----------------------------------------------------------

    def policy(self) -> ast.Policy:
        lets: list[ast.Let] = []
        rules: list[ast.Rule] = []
        loose: list[ast.Disjunction] = []
        loose_lets: list[ast.Let] = []
        first_loose: Token | None = None
        while self.tok.kind != "eof":
            if self.is_word("rule"):
                rules.append(self.rule())
            elif self.is_word("let"):
                lets.append(self.let())
            elif self.is_punct("}"):
                raise self.error("unexpected '}': no block is open here")
            else:
                first_loose = first_loose or self.tok
                loose.append(self.disjunction(stop="eof"))
        if loose:
            assert first_loose is not None
            rules.append(
                ast.Rule(
                    ast.DEFAULT_RULE, None, ast.Block(tuple(loose_lets), tuple(loose)),
                    self.location(first_loose),
                )
            )  # fmt: skip
        return ast.Policy(tuple(lets), tuple(rules), self.text)

    def rule(self) -> ast.Rule:
        start = self.advance()  # "rule"
        name = self.tok
        if name.kind != "name":
            raise self.error(f"expected a rule name after 'rule', found {self.describe()}")
        self.advance()
        conditions = None
        if self.is_word("when"):
            self.advance()
            conditions = self.conjunction(stop="{")
        self.expect_punct("{", f"to open the body of rule {name.text!r}")
        body = self.block()
        return ast.Rule(name.text, conditions, body, self.location(start))

    def block(self) -> ast.Block:
        """The inside of ``{ ... }`` up to and including the closing brace."""
        lets: list[ast.Let] = []
        clauses: list[ast.Disjunction] = []
        while not self.is_punct("}"):
            if self.tok.kind == "eof":
                raise self.error("expected '}' to close the block, found the end of the policy")
            if self.is_word("let"):
                lets.append(self.let())
            else:
                clauses.append(self.disjunction(stop="}"))
        self.advance()
        if not clauses:
            raise self.error("a block needs at least one clause", self.tokens[self.pos - 1])
        return ast.Block(tuple(lets), tuple(clauses))

    def let(self) -> ast.Let:
        start = self.advance()  # "let"
        name = self.tok
        if name.kind != "name" or self.is_word(_RESERVED, name):
            raise self.error(f"expected a variable name after 'let', found {self.describe()}")
        self.advance()
        if not (self.is_punct("=") or self.is_punct(":=")):
            raise self.error(f"expected '=' after 'let {name.text}', found {self.describe()}")
        self.advance()
        value: ast.Literal | ast.Query
        if self.starts_literal():
            value = self.literal()
        elif self.starts_query():
            value = self.query()
        else:
            raise self.error(
                f"expected a value or a query for variable {name.text!r}, found {self.describe()}"
            )
        return ast.Let(name.text, value, self.location(start))

    # -- clauses ------------------------------------------------------------------------

    def conjunction(self, stop: str) -> ast.Conjunction:
        """Disjunctions until the ``stop`` punctuation ("{" after when-conditions, "]"
        in a filter); the stop token is left for the caller."""
        found: list[ast.Disjunction] = []
        while not self.is_punct(stop):
            if self.tok.kind == "eof":
                raise self.error(f"expected '{stop}', found the end of the policy")
            found.append(self.disjunction(stop=stop))
        if not found:
            raise self.error(f"expected a condition before '{stop}'")
        return tuple(found)

    def disjunction(self, stop: str) -> ast.Disjunction:
        clauses = [self.clause(stop)]
        while self.is_word(_OR):
            self.advance()
            clauses.append(self.clause(stop))
        return tuple(clauses)

    def clause(self, stop: str) -> ast.Clause:
        start = self.tok
        if self.is_word("when"):
            self.advance()
            conditions = self.conjunction(stop="{")
            self.advance()
            return ast.WhenBlock(conditions, self.block(), self.location(start))
        if self.is_word(_NOT) or self.is_punct("!"):
            self.advance()
            name = self.tok
            if (
                name.kind == "name"
                and not self.is_word(_RESERVED, name)
                and self.ends_clause(1, stop)
            ):
                self.advance()
                return ast.RuleReference(name.text, True, self.message(), self.location(name))
            # "not <comparison>" negates the comparison's operator.
            negated = self.clause(stop)
            if not isinstance(negated, ast.Comparison):
                raise self.error(
                    "'not' before a clause applies to a rule name or a comparison only", start
                )
            return dataclasses.replace(
                negated, negated=not negated.negated, location=self.location(start)
            )
        some = False
        if self.is_word(_SOME):
            some = True
            self.advance()
        if not self.starts_query():
            raise self.error(f"expected a clause, found {self.describe()}")
        query = self.query()
        operator = self.operator()
        if operator is not None:
            op_name, op_negated = operator
            rhs: ast.Literal | ast.Query | None = None
            if op_name in ast.BINARY_OPERATORS:
                rhs = self.operand(op_name)
            return ast.Comparison(
                query, op_name, op_negated, rhs, some, self.message(), self.location(start)
            )
        if self.is_punct("{") and stop != "{":
            self.advance()
            return ast.QueryBlock(query, some, self.block(), self.location(start))
        if (
            not some
            and len(query.parts) == 1
            and isinstance(query.parts[0], ast.Key)
            and start.kind == "name"
        ):
            return ast.RuleReference(query.text, False, self.message(), self.location(start))
        raise self.error(
            f"expected an operator after the query {query.text!r} (==, !=, <, <=, >, >=, "
            f"IN, exists, empty, is_string, ...), found {self.describe()}"
        )

    def ends_clause(self, ahead: int, stop: str) -> bool:
        """Whether the token ``ahead`` of the current one may follow a complete clause
        (tells ``not rule_name`` from ``not query operator ...``)."""
        token = self.peek(ahead)
        if token.kind in ("eof", "message") or self.is_punct(stop, token):
            return True
        if self.is_punct("}", token) or self.is_punct("]", token) or self.is_punct("%", token):
            return True
        if self.is_word(_NOT, token) or self.is_punct("!", token):
            # "name not exists" continues the clause; "name" then "not other" does not.
            following = self.peek(ahead + 1)
            return not (
                following.kind == "name" and (following.text in _UNARY or following.text in _IN)
            )
        if token.kind == "name":
            return token.text not in _UNARY and token.text not in _IN
        return False

    def operator(self) -> tuple[str, bool] | None:
        """``[not] operator`` if one follows, consumed; None (nothing consumed) if not."""
        token = self.tok
        negated = False
        ahead = 0
        if self.is_word(_NOT, token) or self.is_punct("!", token):
            negated = True
            ahead = 1
        candidate = self.peek(ahead)
        name: str | None = None
        if candidate.kind == "name":
            if candidate.text in _UNARY:
                name = _UNARY[candidate.text]
            elif candidate.text in _IN:
                name = "in"
        elif candidate.kind == "punct" and candidate.text in _BINARY_PUNCT:
            name = candidate.text
        if name is None:
            return None
        if negated and name in _BINARY_PUNCT:
            raise self.error(
                f"'not' cannot precede {name!r}; write the opposite operator instead",
                token,
            )
        self.pos += ahead + 1
        return name, negated

    def operand(self, operator: str) -> ast.Literal | ast.Query:
        if self.starts_literal():
            return self.literal()
        if self.starts_query():
            return self.query()
        raise self.error(f"expected a value or a query after {operator!r}, found {self.describe()}")

    def message(self) -> str | None:
        if self.tok.kind == "message":
            return self.advance().text
        return None

    # -- queries ------------------------------------------------------------------------

    def starts_query(self) -> bool:
        token = self.tok
        if token.kind == "name":
            return token.text == "this" or token.text not in _RESERVED
        if token.kind == "string":
            return False
        return self.is_punct("%") or self.is_punct("*")

    def query(self) -> ast.Query:
        start = self.tok
        parts: list[ast.Part] = []
        if self.is_punct("%"):
            self.advance()
            name = self.tok
            if name.kind != "name" or name.spaced:
                raise self.error("expected a variable name right after '%'")
            self.advance()
            parts.append(ast.Variable(name.text))
        elif self.is_word("this"):
            self.advance()
            parts.append(ast.This())
        elif self.is_punct("*"):
            self.advance()
            parts.append(ast.AllValues())
        else:
            parts.append(ast.Key(self.advance().text))
        while not self.tok.spaced:
            if self.is_punct("."):
                self.advance()
                step = self.tok
                if step.spaced:
                    raise self.error("expected a key right after '.'", step)
                if step.kind in ("name", "string"):
                    parts.append(ast.Key(step.text))
                elif self.is_punct("*", step):
                    parts.append(ast.AllValues())
                elif step.kind == "int":
                    parts.append(ast.Index(int(step.text)))
                else:
                    raise self.error(f"expected a key after '.', found {self.describe()}", step)
                self.advance()
            elif self.is_punct("["):
                parts.append(self.bracket())
            else:
                break
        end = self.tokens[self.pos - 1].end
        return ast.Query(tuple(parts), self.text[start.offset : end], self.location(start))

    def bracket(self) -> ast.Part:
        self.advance()  # "["
        if self.is_punct("*") and self.is_punct("]", self.peek()):
            self.pos += 2
            return ast.AllIndices()
        if self.tok.kind == "int" and self.is_punct("]", self.peek()):
            index = int(self.advance().text)
            self.advance()
            return ast.Index(index)
        if self.is_word(_KEYS):
            self.advance()
            operator = self.operator()
            if operator is None or operator[0] not in ast.BINARY_OPERATORS:
                raise self.error(f"expected a comparison after 'keys', found {self.describe()}")
            rhs = self.operand(operator[0])
            self.expect_punct("]", "to close the key filter")
            return ast.MapKeyFilter(operator[0], operator[1], rhs)
        if self.is_punct("]"):
            raise self.error("expected '*', an index or a filter between '[' and ']'")
        conditions = self.conjunction(stop="]")
        self.advance()
        return ast.Filter(conditions)

    # -- literals -----------------------------------------------------------------------

    def starts_literal(self) -> bool:
        token = self.tok
        if token.kind in ("string", "regex", "int", "float"):
            return True
        if token.kind == "name":
            if token.text in _TRUE or token.text in _FALSE or token.text in _NULL:
                return True
            return token.text == "r" and self.is_range_open(self.peek())
        return self.is_punct("[") or self.is_punct("{")

    def is_range_open(self, token: Token) -> bool:
        return not token.spaced and token.kind == "punct" and token.text in ("[", "(")

    def literal(self) -> ast.Literal:
        start = self.tok
        return ast.Literal(self.value(), self.location(start))

    def value(self) -> ast.Value:
        token = self.tok
        if token.kind == "string":
            self.advance()
            return token.text
        if token.kind == "int":
            self.advance()
            return int(token.text)
        if token.kind == "float":
            self.advance()
            return float(token.text)
        if token.kind == "regex":
            self.advance()
            try:
                compiled = re.compile(token.text)
            except re.error as exc:
                raise self.error(
                    f"invalid regular expression /{token.text}/: {exc}", token
                ) from None
            return ast.Regex(token.text, compiled)
        if token.kind == "name":
            if token.text in _TRUE:
                self.advance()
                return True
            if token.text in _FALSE:
                self.advance()
                return False
            if token.text in _NULL:
                self.advance()
                return None
            if token.text == "r" and self.is_range_open(self.peek()):
                return self.range()
        if self.is_punct("["):
            return self.list_value()
        if self.is_punct("{"):
            return self.struct_value()
        raise self.error(f"expected a value, found {self.describe()}")

    def range(self) -> ast.Range:
        self.advance()  # "r"
        lower_inclusive = self.advance().text == "["
        lower = self.range_bound()
        self.expect_punct(",", "between the bounds of the range")
        upper = self.range_bound()
        close = self.tok
        if not (self.is_punct("]") or self.is_punct(")")):
            raise self.error(f"expected ']' or ')' to close the range, found {self.describe()}")
        self.advance()
        return ast.Range(lower, upper, lower_inclusive, close.text == "]")

    def range_bound(self) -> int | float:
        token = self.tok
        if token.kind not in ("int", "float"):
            raise self.error(f"expected a number as a range bound, found {self.describe()}")
        value = self.value()
        assert isinstance(value, int | float)
        return value

    def list_value(self) -> tuple[ast.Value, ...]:
        self.advance()  # "["
        items: list[ast.Value] = []
        while not self.is_punct("]"):
            items.append(self.value())
            if self.is_punct(","):
                self.advance()
            elif not self.is_punct("]"):
                raise self.error(f"expected ',' or ']' in the list, found {self.describe()}")
        self.advance()
        return tuple(items)

    def struct_value(self) -> dict[str, ast.Value]:
        self.advance()  # "{"
        items: dict[str, ast.Value] = {}
        while not self.is_punct("}"):
            key = self.tok
            if key.kind not in ("name", "string"):
                raise self.error(f"expected a key in the struct, found {self.describe()}")
            self.advance()
            self.expect_punct(":", f"after the key {key.text!r}")
            items[key.text] = self.value()
            if self.is_punct(","):
                self.advance()
            elif not self.is_punct("}"):
                raise self.error(f"expected ',' or '}}' in the struct, found {self.describe()}")
        self.advance()
        return items


# -- name checks ----------------------------------------------------------------------------


def _check_names(policy: ast.Policy) -> None:
    rules: dict[str, ast.Rule] = {}
    for rule in policy.rules:
        rules.setdefault(rule.name, rule)  # same-named rules are one rule (see ast.Policy)
    file_scope = _declare(policy.lets, frozenset())
    for let in policy.lets:
        if isinstance(let.value, ast.Query):
            _check_query(let.value, file_scope, rules)
    depends: dict[str, set[str]] = {}
    for rule in policy.rules:
        refs: set[str] = set()
        if rule.conditions is not None:
            _check_conjunction(rule.conditions, file_scope, rules, refs)
        _check_block(rule.body, file_scope, rules, refs)
        depends.setdefault(rule.name, set()).update(refs)
    _check_cycles(depends, rules)


def _declare(lets: tuple[ast.Let, ...], outer: frozenset[str]) -> frozenset[str]:
    # A name assigned twice in one scope takes the last value, as in cfn-guard (policies
    # in the wild repeat file-level lets).
    return outer | {let.name for let in lets}


def _check_block(
    block: ast.Block, scope: frozenset[str], rules: dict[str, ast.Rule], refs: set[str]
) -> None:
    inner = _declare(block.lets, scope)
    for let in block.lets:
        if isinstance(let.value, ast.Query):
            _check_query(let.value, inner, rules, refs)
    _check_conjunction(block.clauses, inner, rules, refs)


def _check_conjunction(
    conjunction: ast.Conjunction,
    scope: frozenset[str],
    rules: dict[str, ast.Rule],
    refs: set[str],
) -> None:
    for disjunction in conjunction:
        for clause in disjunction:
            _check_clause(clause, scope, rules, refs)


def _check_clause(
    clause: ast.Clause, scope: frozenset[str], rules: dict[str, ast.Rule], refs: set[str]
) -> None:
    if isinstance(clause, ast.Comparison):
        _check_query(clause.lhs, scope, rules, refs)
        if isinstance(clause.rhs, ast.Query):
            _check_query(clause.rhs, scope, rules, refs)
    elif isinstance(clause, ast.RuleReference):
        if clause.name not in rules:
            raise GuardSyntaxError(
                f"no rule named {clause.name!r} (a query needs an operator, e.g. "
                f"'{clause.name} exists')",
                clause.location.line,
                clause.location.column,
            )
        refs.add(clause.name)
    elif isinstance(clause, ast.QueryBlock):
        _check_query(clause.query, scope, rules, refs)
        _check_block(clause.body, scope, rules, refs)
    else:
        _check_conjunction(clause.conditions, scope, rules, refs)
        _check_block(clause.body, scope, rules, refs)


def _check_query(
    query: ast.Query,
    scope: frozenset[str],
    rules: dict[str, ast.Rule],
    refs: set[str] | None = None,
) -> None:
    refs = refs if refs is not None else set()
    for part in query.parts:
        if isinstance(part, ast.Variable) and part.name not in scope:
            raise GuardSyntaxError(
                f"variable %{part.name} is not defined (define it with 'let {part.name} = ...')",
                query.location.line,
                query.location.column,
            )
        if isinstance(part, ast.Filter):
            _check_conjunction(part.conditions, scope, rules, refs)
        if isinstance(part, ast.MapKeyFilter) and isinstance(part.rhs, ast.Query):
            _check_query(part.rhs, scope, rules, refs)


def _check_cycles(depends: dict[str, set[str]], rules: dict[str, ast.Rule]) -> None:
    state: dict[str, int] = {}  # 1 = on the current path, 2 = done

    def visit(name: str, path: list[str]) -> None:
        if state.get(name) == 2:
            return
        if state.get(name) == 1:
            cycle = " -> ".join([*path[path.index(name) :], name])
            location = rules[name].location
            raise GuardSyntaxError(
                f"rules depend on themselves: {cycle}", location.line, location.column
            )
        state[name] = 1
        for ref in sorted(depends.get(name, ())):
            visit(ref, [*path, name])
        state[name] = 2

    for name in depends:
        visit(name, [])
