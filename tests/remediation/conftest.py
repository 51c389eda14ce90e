"""The rules tests' clocked servers, for the attempts that wait on RetryAttemptSeconds."""

from tests.rules.conftest import clocked, clocked_server

__all__ = ["clocked", "clocked_server"]
