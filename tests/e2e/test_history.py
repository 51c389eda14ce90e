"""GetResourceConfigHistory end to end on both stores (spec 1.4, 2.3, 3, 9.4).

Order and paging run on the shared servers with wall time. Time windows, same-millisecond
changes and retention need time the test controls: they run on a server of their own
whose clock is a ``FrozenClock``, with clients that sign requests at that clock's time
(a client whose clock agrees with the server's; SigV4 refuses 15 minutes of skew).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import botocore.auth
import pytest
from botocore.exceptions import ClientError

from configledger.clock import FrozenClock
from tests.conftest import (
    LiveServer,
    config_client,
    own_server,
    start_custom_recording,
)
from tests.helpers import raw_call

AGENT = "MyCompany::Build::Agent"
QUEUE = "MyCompany::Build::Queue"
HOUR = 3_600_000
DAY = 24 * HOUR
T0 = 1_700_000_000_000  # 2023-11-14T22:13:20Z: where every frozen clock starts


def put(client: Any, resource_id: str, n: int, resource_type: str = AGENT) -> None:
    client.put_resource_config(
        ResourceType=resource_type,
        SchemaVersionId="1",
        ResourceId=resource_id,
        Configuration=json.dumps({"n": n}),
    )


def history(client: Any, resource_id: str = "r", **kwargs: Any) -> dict[str, Any]:
    result: dict[str, Any] = client.get_resource_config_history(
        resourceType=kwargs.pop("resourceType", AGENT), resourceId=resource_id, **kwargs
    )
    return result


def versions(items: list[dict[str, Any]]) -> list[int]:
    return [json.loads(i["configuration"])["n"] for i in items]


def aws_error(call: Any, **kwargs: Any) -> tuple[str, str]:
    with pytest.raises(ClientError) as info:
        call(**kwargs)
    assert info.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    error = info.value.response["Error"]
    return error["Code"], error["Message"]


def all_pages(client: Any, resource_id: str = "r", **kwargs: Any) -> list[list[int]]:
    """Every page of a history, following nextToken to the end."""
    pages: list[list[int]] = []
    token = None
    while True:
        extra = {"nextToken": token} if token else {}
        page = history(client, resource_id, **kwargs, **extra)
        pages.append(versions(page["configurationItems"]))
        token = page.get("nextToken")
        if not token:
            return pages
        assert len(pages) < 50, "paging does not end"


def at(ms: int) -> datetime:
    return datetime.fromtimestamp(ms / 1000, tz=UTC)


# -- order and paging on the shared servers ------------------------------------------------


def test_default_order_is_reverse_and_limit_defaults_to_10(config: Any) -> None:
    start_custom_recording(config)
    for n in range(12):
        put(config, "r", n)
    newest_first = history(config)
    assert versions(newest_first["configurationItems"]) == list(range(11, 1, -1))
    assert newest_first["nextToken"]
    assert versions(history(config, chronologicalOrder="Reverse")["configurationItems"]) == list(
        range(11, 1, -1)
    )
    assert versions(history(config, chronologicalOrder="Forward")["configurationItems"]) == list(
        range(10)
    )
    assert len(history(config, limit=0)["configurationItems"]) == 10
    everything = history(config, limit=100)
    assert versions(everything["configurationItems"]) == list(range(11, -1, -1))
    assert "nextToken" not in everything
    exact = history(config, limit=12)
    assert len(exact["configurationItems"]) == 12 and "nextToken" not in exact
    # The current item: limit 1 in the default order.
    [current] = history(config, limit=1)["configurationItems"]
    assert json.loads(current["configuration"]) == {"n": 11}
    assert current["configurationItemStatus"] == "OK"


@pytest.mark.parametrize("order", [None, "Reverse", "Forward"])
def test_pages_cover_every_item_once_in_order(config: Any, order: str | None) -> None:
    start_custom_recording(config)
    for n in range(25):
        put(config, "r", n)
    kwargs: dict[str, Any] = {"limit": 10}
    if order:
        kwargs["chronologicalOrder"] = order
    pages = all_pages(config, **kwargs)
    expected = list(range(25)) if order == "Forward" else list(range(24, -1, -1))
    assert [len(p) for p in pages] == [10, 10, 5]
    assert [n for p in pages for n in p] == expected
    # botocore's paginator follows the same tokens.
    paginator = config.get_paginator("get_resource_config_history")
    found = [
        json.loads(item["configuration"])["n"]
        for page in paginator.paginate(
            resourceType=AGENT,
            resourceId="r",
            PaginationConfig={"PageSize": 7},
            **({"chronologicalOrder": order} if order else {}),
        )
        for item in page["configurationItems"]
    ]
    assert found == expected


def test_the_page_size_may_change_between_pages(config: Any) -> None:
    start_custom_recording(config)
    for n in range(8):
        put(config, "r", n)
    first = history(config, limit=3, chronologicalOrder="Forward")
    second = history(config, limit=4, chronologicalOrder="Forward", nextToken=first["nextToken"])
    assert versions(first["configurationItems"]) == [0, 1, 2]
    assert versions(second["configurationItems"]) == [3, 4, 5, 6]
    third = history(config, limit=0, chronologicalOrder="Forward", nextToken=second["nextToken"])
    assert versions(third["configurationItems"]) == [7]
    assert "nextToken" not in third


def test_a_page_started_before_new_items_stays_consistent(config: Any) -> None:
    start_custom_recording(config)
    for n in range(6):
        put(config, "r", n)
    first = history(config, limit=3)
    put(config, "r", 6)  # recorded between two pages: after the window the token keeps
    second = history(config, limit=3, nextToken=first["nextToken"])
    assert versions(first["configurationItems"]) == [5, 4, 3]
    assert versions(second["configurationItems"]) == [2, 1, 0]
    assert versions(history(config, limit=1)["configurationItems"]) == [6]


def test_history_of_a_deleted_resource_ends_with_the_deletion(config: Any) -> None:
    start_custom_recording(config)
    put(config, "r", 0)
    config.delete_resource_config(ResourceType=AGENT, ResourceId="r")
    items = history(config)["configurationItems"]
    assert [i["configurationItemStatus"] for i in items] == [
        "ResourceDeleted",
        "ResourceDiscovered",
    ]
    assert "configuration" not in items[0]
    put(config, "r", 1)
    items = history(config, chronologicalOrder="Forward")["configurationItems"]
    assert [i["configurationItemStatus"] for i in items] == [
        "ResourceDiscovered",
        "ResourceDeleted",
        "ResourceDiscovered",
    ]


def test_an_unknown_resource_is_not_discovered(backend: LiveServer, account: str) -> None:
    client = config_client(backend, account)
    start_custom_recording(client)
    put(client, "known", 0)
    cases = [(AGENT, "unknown"), (QUEUE, "known"), ("AWS::EC2::Instance", "i-0abc")]
    for resource_type, resource_id in cases:
        code, message = aws_error(
            client.get_resource_config_history, resourceType=resource_type, resourceId=resource_id
        )
        assert code == "ResourceNotDiscoveredException"
        assert message == (
            f"Resource {resource_id} of resourceType:{resource_type} is unknown or has not "
            "been discovered"
        )


def test_earlier_time_after_later_time_is_an_invalid_range(config: Any) -> None:
    start_custom_recording(config)
    put(config, "r", 0)
    now = datetime.now(tz=UTC)
    code, message = aws_error(
        config.get_resource_config_history,
        resourceType=AGENT,
        resourceId="r",
        earlierTime=now,
        laterTime=at(round(now.timestamp() * 1000) - 1),
    )
    assert code == "InvalidTimeRangeException"
    assert message


def test_forged_and_tampered_tokens_are_invalid(backend: LiveServer, account: str) -> None:
    client = config_client(backend, account)
    start_custom_recording(client)
    for n in range(5):
        put(client, "r", n)
    token = history(client, limit=2)["nextToken"]
    list_token = client.list_discovered_resources(resourceType=AGENT, limit=1)
    flipped = token[:5] + ("A" if token[5] != "A" else "B") + token[6:]
    for forged in (
        "not-a-token",
        "e30",  # base64 of "{}"
        token[:-3],
        token[3:],
        flipped,
        token + "AAAA",
        "ü" * 8,
        list_token.get("nextToken") or "x",
    ):
        code, message = aws_error(
            client.get_resource_config_history,
            resourceType=AGENT,
            resourceId="r",
            limit=2,
            nextToken=forged,
        )
        assert code == "InvalidNextTokenException", forged
        assert message == "The nextToken provided is invalid"
    # The real token still works.
    assert versions(history(client, limit=2, nextToken=token)["configurationItems"]) == [2, 1]


def test_a_token_reused_with_other_parameters_is_invalid(config: Any) -> None:
    start_custom_recording(config)
    for n in range(5):
        put(config, "r", n)
        put(config, "other", n)
    now = datetime.now(tz=UTC)
    token = history(config, limit=2, laterTime=now)["nextToken"]
    for other in (
        {"resourceId": "other", "laterTime": now},
        {"resourceId": "r", "laterTime": now, "chronologicalOrder": "Forward"},
        {"resourceId": "r", "laterTime": at(round(now.timestamp() * 1000) - 1)},
        {"resourceId": "r", "laterTime": now, "earlierTime": at(0)},
        {"resourceId": "r"},
    ):
        code, _ = aws_error(
            config.get_resource_config_history,
            resourceType=AGENT,
            limit=2,
            nextToken=token,
            **other,
        )
        assert code == "InvalidNextTokenException", other
    assert versions(
        history(config, limit=2, laterTime=now, nextToken=token)["configurationItems"]
    ) == [2, 1]


# -- time windows, same-millisecond changes and retention on a frozen clock ----------------


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def frozen_server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[LiveServer, FrozenClock]]:
    clock = FrozenClock(T0)
    with own_server(request.param, tmp_path_factory.mktemp("frozen"), clock) as server:
        yield server, clock


@pytest.fixture
def frozen(
    frozen_server: tuple[LiveServer, FrozenClock], account: str, monkeypatch: pytest.MonkeyPatch
) -> tuple[Any, FrozenClock]:
    """A recording client of a fresh account on the frozen server, signing at its time."""
    server, clock = frozen_server

    def server_time(remove_tzinfo: bool = True) -> datetime:
        moment = at(clock.now_ms())
        return moment.replace(tzinfo=None) if remove_tzinfo else moment

    monkeypatch.setattr(botocore.auth, "get_current_datetime", server_time)
    client = config_client(server, account)
    start_custom_recording(client)
    return client, clock


def test_changes_within_one_millisecond_get_increasing_state_ids(
    frozen: tuple[Any, FrozenClock],
) -> None:
    client, clock = frozen
    now = clock.now_ms()
    for n in range(3):
        put(client, "r", n)  # the clock does not move: all three in the same millisecond
    items = history(client, chronologicalOrder="Forward")["configurationItems"]
    assert versions(items) == [0, 1, 2]
    assert [i["configurationStateId"] for i in items] == [str(now), str(now + 1), str(now + 2)]
    assert [round(i["configurationItemCaptureTime"].timestamp() * 1000) for i in items] == [
        now,
        now + 1,
        now + 2,
    ]
    # The current item is the newest, whatever the clock says.
    assert versions(history(client, limit=1)["configurationItems"]) == [2]
    clock.advance(1)
    put(client, "r", 3)  # the clock is behind the last state id: still strictly after it
    assert history(client, limit=1)["configurationItems"][0]["configurationStateId"] == str(now + 3)
    clock.advance(10)
    put(client, "r", 4)
    assert history(client, limit=1)["configurationItems"][0]["configurationStateId"] == str(
        now + 11
    )


def _four_versions_an_hour_apart(client: Any, clock: FrozenClock) -> int:
    """v0..v3 captured at start, +1h, +2h, +3h; the clock ends at +4h. Returns start."""
    start = clock.now_ms()
    for n in range(4):
        put(client, "r", n)
        clock.advance(HOUR)
    return start


@pytest.mark.parametrize(
    ("earlier", "later", "expected"),
    [
        (None, None, [3, 2, 1, 0]),
        (1.5, 2.5, [2, 1]),  # v1 was current at earlierTime: its state overlaps
        (1.0, 2.5, [2, 1]),  # v1 captured exactly at earlierTime
        (1.0 - 1 / HOUR, 2.5, [2, 1, 0]),  # a millisecond earlier, v0 was still current
        (1.5, 2.0, [2, 1]),  # v2 captured exactly at laterTime
        (1.5, 2.0 - 1 / HOUR, [1]),
        (2.5, None, [3, 2]),
        (3.5, None, [3]),  # after the last change: the current item
        (None, 0.5, [0]),
        (None, -0.5, []),  # before the resource existed
        (-5.0, -0.5, []),
        (-5.0, 0.0, [0]),
        (0.2, 0.8, [0]),  # inside one state
    ],
)
def test_a_window_returns_the_items_whose_state_overlapped_it(
    frozen: tuple[Any, FrozenClock],
    earlier: float | None,
    later: float | None,
    expected: list[int],
) -> None:
    client, clock = frozen
    start = _four_versions_an_hour_apart(client, clock)
    kwargs: dict[str, Any] = {}
    if earlier is not None:
        kwargs["earlierTime"] = at(start + round(earlier * HOUR))
    if later is not None:
        kwargs["laterTime"] = at(start + round(later * HOUR))
    assert versions(history(client, **kwargs)["configurationItems"]) == expected
    forward = history(client, chronologicalOrder="Forward", **kwargs)["configurationItems"]
    assert versions(forward) == expected[::-1]
    # Paged one by one, the same items in the same order.
    assert [n for page in all_pages(client, limit=1, **kwargs) for n in page] == expected


def test_window_times_are_accepted_as_epoch_numbers_on_the_wire(
    frozen: tuple[Any, FrozenClock], frozen_server: tuple[LiveServer, FrozenClock], account: str
) -> None:
    client, clock = frozen
    server, _ = frozen_server
    start = _four_versions_an_hour_apart(client, clock)
    status, body, _ = raw_call(
        server.url,
        "GetResourceConfigHistory",
        json.dumps(
            {
                "resourceType": AGENT,
                "resourceId": "r",
                "earlierTime": (start + 1.5 * HOUR) / 1000,
                "laterTime": (start + 2.5 * HOUR) / 1000,
            }
        ),
        access_key=account,
    )
    assert status == 200, body
    assert [json.loads(i["configuration"])["n"] for i in body["configurationItems"]] == [2, 1]


def test_retention_hides_states_that_ended_before_the_period(
    frozen: tuple[Any, FrozenClock],
) -> None:
    client, clock = frozen
    base = clock.now_ms()
    put(client, "a", 0)  # A v0 at base, ends at base+5d
    put(client, "b", 0)  # B b0 at base, never changes: always current
    put(client, "c", 0)  # C c0 at base, deleted at base+5d
    clock.advance(5 * DAY)
    put(client, "a", 1)  # A v1 at base+5d, ends at base+20d
    client.delete_resource_config(ResourceType=AGENT, ResourceId="c")
    clock.advance(15 * DAY)
    put(client, "a", 2)  # A v2 at base+20d, ends at base+35d
    clock.advance(15 * DAY)
    put(client, "a", 3)  # A v3 at base+35d, current
    clock.advance(10 * DAY)  # now base+45d; 30 days back is base+15d

    def statuses(resource_id: str) -> list[str]:
        items = history(client, resource_id, limit=100)["configurationItems"]
        return [i["configurationItemStatus"] for i in items]

    # Without a retention configuration (seven years), everything is there.
    assert versions(history(client, "a")["configurationItems"]) == [3, 2, 1, 0]
    assert statuses("c") == ["ResourceDeleted", "ResourceDiscovered"]

    client.put_retention_configuration(RetentionPeriodInDays=30)
    # v0 ended 40 days ago: gone. v1 ended 25 days ago: kept, as are v2 and the current v3.
    assert versions(history(client, "a")["configurationItems"]) == [3, 2, 1]
    forward = history(client, "a", chronologicalOrder="Forward")["configurationItems"]
    assert versions(forward) == [1, 2, 3]
    assert [n for page in all_pages(client, "a", limit=1) for n in page] == [3, 2, 1]
    assert [
        n for page in all_pages(client, "a", limit=2, chronologicalOrder="Forward") for n in page
    ] == [1, 2, 3]
    # An earlierTime older than the period does not bring back what retention dropped.
    assert versions(history(client, "a", earlierTime=at(base))["configurationItems"]) == [3, 2, 1]
    # A window that ends inside the retained past: v1 was current then.
    assert versions(history(client, "a", laterTime=at(base + 10 * DAY))["configurationItems"]) == [
        1
    ]
    # A window wholly within the dropped past: nothing is left of it.
    assert history(client, "a", laterTime=at(base + 3 * DAY))["configurationItems"] == []
    # The current state of an unchanged resource is never dropped, nor a deletion.
    assert versions(history(client, "b")["configurationItems"]) == [0]
    assert statuses("c") == ["ResourceDeleted"]

    # As time passes the window moves: 20 days on (base+65d, cutoff base+35d) v3 has just
    # become the only state left; the item current at the cutoff always stays.
    clock.advance(20 * DAY - 1)
    assert versions(history(client, "a")["configurationItems"]) == [3, 2]
    clock.advance(1)
    assert versions(history(client, "a")["configurationItems"]) == [3]
    clock.advance(365 * DAY)
    assert versions(history(client, "a")["configurationItems"]) == [3]
    assert statuses("c") == ["ResourceDeleted"]
    assert versions(history(client, "b")["configurationItems"]) == [0]


def test_times_far_from_now_are_answered(backend: LiveServer, account: str) -> None:
    client = config_client(backend, account)
    start_custom_recording(client)
    for n in range(3):
        put(client, "r", n)

    def raw_history(**times: object) -> tuple[int, dict[str, Any]]:
        body = {"resourceType": AGENT, "resourceId": "r", **times}
        status, answer, _ = raw_call(
            backend.url, "GetResourceConfigHistory", json.dumps(body), access_key=account
        )
        return status, answer

    def found(answer: dict[str, Any]) -> list[int]:
        return [json.loads(i["configuration"])["n"] for i in answer["configurationItems"]]

    # 1e16 s is year ~317 million: a valid date, beyond what epoch ms fit in 64 bits.
    status, answer = raw_history(earlierTime=1e16)
    assert (status, found(answer)) == (200, [2])  # the item current at earlierTime
    status, answer = raw_history(laterTime=1e16)
    assert (status, found(answer)) == (200, [2, 1, 0])
    status, answer = raw_history(laterTime=-1e16)
    assert (status, found(answer)) == (200, [])  # before the resource existed
    status, answer = raw_history(earlierTime=-1e16, laterTime=1e16)
    assert (status, found(answer)) == (200, [2, 1, 0])
    status, answer = raw_history(earlierTime=1e16, laterTime=-1e16)
    assert (status, answer["__type"]) == (400, "InvalidTimeRangeException")
    # Paging a window with such bounds works too.
    status, first = raw_history(laterTime=1e16, limit=2)
    assert (status, found(first)) == (200, [2, 1])
    status, rest = raw_history(laterTime=1e16, limit=2, nextToken=first["nextToken"])
    assert (status, found(rest)) == (200, [0])
