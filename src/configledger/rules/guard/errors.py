"""The one error a policy text can raise."""

from __future__ import annotations


class GuardSyntaxError(ValueError):
    """A policy that does not parse (or names a rule or variable it never defines).

    ``message`` says what is wrong; ``line`` and ``column`` (1-based) say where, so
    ``str(error)`` reads "line 3, column 17: expected an operator after the query ...".
    """

    def __init__(self, message: str, line: int, column: int) -> None:
        super().__init__(f"line {line}, column {column}: {message}")
        self.message = message
        self.line = line
        self.column = column
