"""``configledger deliver-snapshot`` against a running server: the snapshot is delivered
and the command reports it with its progress."""

from __future__ import annotations

import pytest

from configledger.cli.main import main
from tests.conftest import LiveServer
from tests.delivery.conftest import gunzip_json, objects, put_thing, setup_delivery


def test_deliver_snapshot_follows_the_delivery_to_the_end(
    live: LiveServer, capsys: pytest.CaptureFixture[str]
) -> None:
    setup = setup_delivery(live, topic=False)
    for index in range(30):
        put_thing(setup.config, f"cli-{index:02d}", {"index": index})
    code = main(
        ["deliver-snapshot", "--account", setup.account, "--endpoint-url", live.url,
         "--db", live.db_url, "--timeout", "60"]
    )  # fmt: skip
    out = capsys.readouterr().out
    assert code == 0, out
    assert "requested" in out and "Delivered" in out
    [key] = [k for k in objects(setup.s3(), setup.bucket) if "/ConfigSnapshot/" in k]
    assert key in out.replace("\n", "")
    items = gunzip_json(objects(setup.s3(), setup.bucket)[key])["configurationItems"]
    ours = [i for i in items if i["resourceType"] == "Delivery::Test::Thing"]
    assert [i["resourceId"] for i in ours] == [f"cli-{i:02d}" for i in range(30)]


def test_deliver_snapshot_without_a_running_recorder_fails_with_aws_error(
    live: LiveServer, capsys: pytest.CaptureFixture[str]
) -> None:
    setup = setup_delivery(live, topic=False, start=False)
    code = main(
        ["deliver-snapshot", "--account", setup.account, "--endpoint-url", live.url,
         "--db", live.db_url]
    )  # fmt: skip
    assert code == 2
    assert "NoRunningConfigurationRecorderException" in capsys.readouterr().out
