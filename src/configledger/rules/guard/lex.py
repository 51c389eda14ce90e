"""Guard text -> tokens, each with its line, column and whether whitespace preceded it.

The parser needs that last bit: the steps of a query touch each other ("a.b[*]"), so a
token after whitespace ends the query and starts the next clause.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal as TypingLiteral

from .errors import GuardSyntaxError

_Fail = Callable[[str, int], GuardSyntaxError]  # message, offset -> error to raise
Kind = TypingLiteral["name", "string", "regex", "int", "float", "message", "punct", "eof"]

# Longest first, so "<<" wins over "<" and "==" over "=".
_PUNCTUATION = (
    "<<", "==", "!=", "<=", ">=", ":=", "<", ">", "!", ".", ",", ":", "=",
    "[", "]", "{", "}", "(", ")", "*", "%",
)  # fmt: skip
_NAME_START = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_")
_NAME_CHARS = _NAME_START | frozenset("0123456789")
_DIGITS = frozenset("0123456789")


@dataclass(frozen=True, slots=True)
class Token:
    kind: Kind
    text: str  # the token's value: unquoted string, regex pattern, message, punctuation
    line: int
    column: int
    spaced: bool  # whitespace or a comment came right before it
    offset: int
    end: int


def tokenize(source: str) -> list[Token]:
    tokens: list[Token] = []
    pos = 0
    line = 1
    line_start = 0
    length = len(source)
    spaced = True

    def fail(message: str, at: int) -> GuardSyntaxError:
        # Line and column of an offset that may lie past newlines already counted.
        line_no = source.count("\n", 0, at) + 1
        column = at - (source.rfind("\n", 0, at) + 1) + 1
        return GuardSyntaxError(message, line_no, column)

    while pos < length:
        char = source[pos]
        if char == "\n":
            pos += 1
            line += 1
            line_start = pos
            spaced = True
            continue
        if char in " \t\r\f\v":
            pos += 1
            spaced = True
            continue
        if char == "#":
            end = source.find("\n", pos)
            pos = length if end < 0 else end
            spaced = True
            continue
        start = pos
        column = pos - line_start + 1
        kind: Kind
        if char in _NAME_START:
            while pos < length and source[pos] in _NAME_CHARS:
                pos += 1
            kind, text = "name", source[start:pos]
        elif char in _DIGITS or (char == "-" and pos + 1 < length and source[pos + 1] in _DIGITS):
            pos += 1
            while pos < length and source[pos] in _DIGITS:
                pos += 1
            kind = "int"
            if pos + 1 < length and source[pos] == "." and source[pos + 1] in _DIGITS:
                kind = "float"
                pos += 1
                while pos < length and source[pos] in _DIGITS:
                    pos += 1
            text = source[start:pos]
        elif char in "'\"":
            pos, text = _read_string(source, pos, fail)
            kind = "string"
        elif char == "/":
            pos, text = _read_regex(source, pos, fail)
            kind = "regex"
        elif source.startswith("|OR|", pos):
            pos += 4
            kind, text = "name", "OR"
        elif source.startswith("<<", pos):
            end = source.find(">>", pos + 2)
            reopened = source.find("<<", pos + 2)
            # A "<<" before the next ">>" means this message was left open: reading on
            # would swallow the clauses up to the next message's end.
            if end < 0 or 0 <= reopened < end:
                raise fail("custom message '<<' is never closed with '>>'", start)
            text = source[pos + 2 : end].strip()
            pos = end + 2
            kind = "message"
        else:
            for punct in _PUNCTUATION:
                if source.startswith(punct, pos):
                    pos += len(punct)
                    kind, text = "punct", punct
                    break
            else:
                raise fail(f"unexpected character {char!r}", start)
        # Strings, regexes and messages may span lines: keep the line count right.
        newlines = source.count("\n", start, pos)
        tokens.append(Token(kind, text, line, column, spaced, start, pos))
        if newlines:
            line += newlines
            line_start = source.rfind("\n", start, pos) + 1
        spaced = False
    column = pos - line_start + 1
    tokens.append(Token("eof", "", line, column, True, pos, pos))
    return tokens


def _read_string(source: str, pos: int, fail: _Fail) -> tuple[int, str]:
    quote = source[pos]
    start = pos
    pos += 1
    out: list[str] = []
    while pos < len(source):
        char = source[pos]
        if char == "\\" and pos + 1 < len(source):
            nxt = source[pos + 1]
            out.append(nxt if nxt in (quote, "\\") else char + nxt)
            pos += 2
            continue
        if char == quote:
            return pos + 1, "".join(out)
        out.append(char)
        pos += 1
    raise fail("string is never closed", start)


def _read_regex(source: str, pos: int, fail: _Fail) -> tuple[int, str]:
    start = pos
    pos += 1
    out: list[str] = []
    while pos < len(source):
        char = source[pos]
        if char == "\\" and pos + 1 < len(source):
            nxt = source[pos + 1]
            out.append("/" if nxt == "/" else char + nxt)
            pos += 2
            continue
        if char == "/":
            return pos + 1, "".join(out)
        if char == "\n":
            break
        out.append(char)
        pos += 1
    raise fail("regular expression is never closed with '/'", start)
