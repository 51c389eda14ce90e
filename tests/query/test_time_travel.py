"""Beyond AWS: the same query over the state at past instants and over a window's
changes, through the extension endpoint and the ``configledger query`` command."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from configledger.clock import FrozenClock, SystemClock, iso_ms
from tests.conftest import (
    LiveServer,
    config_client,
    drop_postgres_schema,
    fresh_postgres_url,
    new_account,
    postgres_available,
    start_custom_recording,
    start_server,
)
from tests.query.helpers import extension_query

# The frozen clock starts close to wall time when the fixture runs (not when the module
# is collected, which can be long before in a large run): requests are signed with the
# real time, which must stay within SigV4's 15 minutes of the server's clock.
LEAD_MS = 8 * 60_000
STEP_MS = 120_000
WEB = "Acme::Web::Server"


@dataclass
class Timeline:
    server: LiveServer
    account: str
    config: Any
    instants: list[int]  # when each of the three versions of web-1 was recorded


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def timeline(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Timeline]:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('travel') / 'store.db'}"
    else:
        if not postgres_available():
            pytest.skip("PostgreSQL not reachable")
        url = fresh_postgres_url()
    clock = FrozenClock(SystemClock().now_ms() // 1000 * 1000 - LEAD_MS)
    server = start_server(url, clock=clock)
    account = new_account()
    config = config_client(server, account)
    start_custom_recording(config)
    instants = []
    for version, (size, state) in enumerate([(1, "pending"), (2, "running"), (4, "stopped")]):
        clock.advance(STEP_MS)
        instants.append(clock.now_ms())
        config.put_resource_config(
            ResourceType=WEB,
            SchemaVersionId="1",
            ResourceId="web-1",
            ResourceName="web",
            Configuration=json.dumps({"size": size, "state": {"name": state}, "v": version}),
            Tags={"Name": f"web-v{version}"},
        )
        if version == 0:  # a neighbour that exists from the start and is deleted later
            config.put_resource_config(
                ResourceType=WEB, SchemaVersionId="1", ResourceId="web-2",
                Configuration=json.dumps({"size": 9, "state": {"name": "running"}}),
            )  # fmt: skip
        if version == 1:
            config.delete_resource_config(ResourceType=WEB, ResourceId="web-2")
    yield Timeline(server, account, config, instants)
    server.stop()
    if request.param == "postgres":
        drop_postgres_schema(url)


def _query(t: Timeline, expression: str, **extra: Any) -> list[dict[str, Any]]:
    status, body = extension_query(t.server.url, t.account, {"Expression": expression, **extra})
    assert status == 200, body
    return [json.loads(r) for r in body["Results"]]


def test_each_instant_answers_differently(timeline: Timeline) -> None:
    expression = (
        "SELECT resourceId, configuration.state.name, configuration.size, tags.Name "
        f"WHERE resourceType = '{WEB}'"
    )
    answers = [_query(timeline, expression, At=iso_ms(at)) for at in timeline.instants]
    assert answers == [
        [
            {"resourceId": "web-1", "configuration": {"state": {"name": "pending"}, "size": 1},
             "tags": {"Name": "web-v0"}},
            {"resourceId": "web-2", "configuration": {"state": {"name": "running"}, "size": 9}},
        ],
        [{"resourceId": "web-1", "configuration": {"state": {"name": "running"}, "size": 2},
          "tags": {"Name": "web-v1"}}],
        [{"resourceId": "web-1", "configuration": {"state": {"name": "stopped"}, "size": 4},
          "tags": {"Name": "web-v2"}}],
    ]  # fmt: skip
    # A predicate picks a different instant each time; before the first, nothing existed.
    running = (
        f"SELECT resourceId WHERE resourceType = '{WEB}' AND configuration.state.name = 'running'"
    )
    assert [len(_query(timeline, running, At=iso_ms(at))) for at in timeline.instants] == [1, 1, 0]
    assert _query(timeline, running, At=iso_ms(timeline.instants[0] - 1)) == []
    # The current state is the last instant's.
    assert _query(timeline, expression) == answers[2]
    # Epoch seconds work as well as ISO-8601.
    assert _query(timeline, expression, At=timeline.instants[1] / 1000) == answers[1]


def test_window_lists_every_change(timeline: Timeline) -> None:
    first, second, third = timeline.instants
    found = _query(
        timeline,
        "SELECT resourceId, configurationItemStatus, configuration.size "
        "WHERE resourceId = 'web-1' OR resourceId = 'web-2'",
        Since=iso_ms(first),
        Until=iso_ms(second + 1000),
    )
    assert found == [
        {"resourceId": "web-1", "configurationItemStatus": "ResourceDiscovered",
         "configuration": {"size": 1}},
        {"resourceId": "web-1", "configurationItemStatus": "OK", "configuration": {"size": 2}},
        {"resourceId": "web-2", "configurationItemStatus": "ResourceDiscovered",
         "configuration": {"size": 9}},
        {"resourceId": "web-2", "configurationItemStatus": "ResourceDeleted"},
    ]  # fmt: skip
    counted = _query(
        timeline,
        f"SELECT resourceId, COUNT(*) WHERE resourceType = '{WEB}' GROUP BY resourceId",
        Since=iso_ms(first),
        Until=iso_ms(third),
    )
    assert counted == [
        {"resourceId": "web-1", "COUNT(*)": 3},
        {"resourceId": "web-2", "COUNT(*)": 2},
    ]


def test_extended_grammar_only_off_the_wire(timeline: Timeline) -> None:
    distinct = "SELECT DISTINCT configuration.state.name WHERE resourceName LIKE '%eb'"
    assert _query(timeline, distinct) == [{"configuration": {"state": {"name": "stopped"}}}]
    with pytest.raises(Exception, match="DISTINCT is not supported"):
        timeline.config.select_resource_config(Expression=distinct)


def test_extension_endpoint_refusals(timeline: Timeline) -> None:
    url, account = timeline.server.url, timeline.account
    cases = [
        ({}, "ValidationException", "'Expression' is required"),
        ({"Expression": "SELECT resourceId", "At": "soon"}, "ValidationException", "not an ISO"),
        (
            {"Expression": "SELECT resourceId", "At": 1, "Since": 0},
            "ValidationException",
            "cannot be combined",
        ),
        ({"Expression": "SELECT resourceId FROM x"}, "InvalidExpressionException", "FROM"),
        ({"Expression": "SELECT resourceId", "Limit": 500}, "InvalidLimitException", "100"),
    ]
    for body, code, message in cases:
        status, answer = extension_query(url, account, body)
        assert status == 400 and answer["__type"] == code and message in answer["message"], body
    status, answer = extension_query(url, "not-a-key!", {"Expression": "SELECT resourceId"})
    assert status in (400, 403) and answer["__type"] != "InvalidExpressionException"


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    script = Path(sys.executable).parent / "configledger"
    command = [str(script)] if script.exists() else [sys.executable, "-m", "configledger.cli.main"]
    return subprocess.run(
        [*command, "query", *args], capture_output=True, text=True, timeout=60, check=False
    )


def test_cli_formats_and_time_travel(timeline: Timeline) -> None:
    db = timeline.server.db_url
    base = ["--db", db, "--account", timeline.account]
    expression = f"SELECT resourceId, configuration.size, tags.Name WHERE resourceType = '{WEB}'"
    as_json = _cli(*base, "--format", "json", "--at", iso_ms(timeline.instants[1]), expression)
    assert as_json.returncode == 0, as_json.stderr
    assert json.loads(as_json.stdout) == [
        {"resourceId": "web-1", "configuration": {"size": 2}, "tags": {"Name": "web-v1"}}
    ]
    as_csv = _cli(*base, "--format", "csv", "--at", iso_ms(timeline.instants[0]), expression)
    assert as_csv.returncode == 0, as_csv.stderr
    assert list(csv.reader(io.StringIO(as_csv.stdout))) == [
        ["resourceId", "configuration.size", "tags.Name"],
        ["web-1", "1", "web-v0"],
        ["web-2", "9", ""],
    ]
    table = _cli(*base, expression)
    assert table.returncode == 0, table.stderr
    assert "web-v2" in table.stdout and "configuration.size" in table.stdout
    assert "1 result" in table.stdout
    refused = _cli(*base, "SELECT resourceId FROM elsewhere")
    assert refused.returncode == 2 and "InvalidExpressionException" in refused.stderr


def test_cli_window_with_infix_like(timeline: Timeline) -> None:
    """The README's window command: every change between two instants, as CSV, with a
    LIKE pattern AWS would refuse (wildcards on both sides)."""
    first, second, _ = timeline.instants
    window = _cli(
        "--db", timeline.server.db_url, "--account", timeline.account, "--format", "csv",
        "--since", iso_ms(first), "--until", iso_ms(second),
        "SELECT resourceId, configurationItemStatus, configurationItemCaptureTime "
        "WHERE resourceType LIKE '%Web%'",
    )  # fmt: skip
    assert window.returncode == 0, window.stderr
    assert list(csv.reader(io.StringIO(window.stdout))) == [
        ["resourceId", "configurationItemStatus", "configurationItemCaptureTime"],
        ["web-1", "ResourceDiscovered", iso_ms(first)],
        ["web-1", "OK", iso_ms(second)],
        ["web-2", "ResourceDiscovered", iso_ms(first)],
        ["web-2", "ResourceDeleted", iso_ms(second)],
    ]
    # The same pattern on the AWS wire is refused: only prefix patterns are AWS's.
    with pytest.raises(Exception, match="only prefix patterns"):
        timeline.config.select_resource_config(
            Expression="SELECT resourceId WHERE resourceType LIKE '%Web%'"
        )
