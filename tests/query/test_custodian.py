"""Cloud Custodian reads resources through SelectResourceConfig (``source: config``).

Two tests over one sandbox estate. The first replays the calls c7n's ``ConfigSource``
makes (c7n/query.py), as it makes them: its lower-case default expression selecting
``configuration`` and ``supplementaryConfiguration`` whole, a policy's ``clause`` glued
on with ``AND`` and no space, the S3 source's ``awsRegion`` prefixed to a list that
already holds it, pages followed through botocore's Paginator without a Limit, and the
fallback through ListDiscoveredResources and GetResourceConfigHistory(limit=1). The
second runs the real ``custodian`` command against the server when it is installed: c7n
pins its own boto3 and botocore, so it lives in an environment of its own
(``make custodian`` makes ``.venv-c7n``; ``CONFIGLEDGER_CUSTODIAN`` names another), and
the test is skipped without it.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from botocore.paginate import Paginator

from tests.conftest import LiveServer
from tests.e2e_sandbox.helpers import recording, sandbox, wait_for

INSTANCE = "AWS::EC2::Instance"
BUCKET = "AWS::S3::Bucket"
RUNNING = 26  # more than a default page (25), so the paginator follows a NextToken
# c7n's default expression (ConfigSource.get_query_params) for a resource type.
DEFAULT = "select resourceId, configuration, supplementaryConfiguration where resourceType = '{}'"


@dataclass
class Estate:
    server: LiveServer
    account: str
    config: Any
    running: list[str]
    stopped: str
    tagged: set[str]  # instances tagged Team=blue
    bucket: str
    group: str


@pytest.fixture(scope="module")
def estate(sqlite_server: LiveServer) -> Iterator[Estate]:
    config, aws = sandbox(sqlite_server)
    account = aws("sts").get_caller_identity()["Account"]
    ec2 = aws("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.7.0.0/16")["Vpc"]["VpcId"]
    group = ec2.create_security_group(GroupName="c7n-web", Description="web", VpcId=vpc)["GroupId"]
    launched = ec2.run_instances(
        ImageId="ami-12c6146b",
        MinCount=RUNNING + 1,
        MaxCount=RUNNING + 1,
        InstanceType="t2.micro",
    )["Instances"]
    ids = sorted(i["InstanceId"] for i in launched)
    stopped, running = ids[0], ids[1:]
    tagged = {stopped, running[0]}
    ec2.create_tags(Resources=sorted(tagged), Tags=[{"Key": "Team", "Value": "blue"}])
    ec2.stop_instances(InstanceIds=[stopped])
    bucket = f"c7n-{account}"
    aws("s3").create_bucket(Bucket=bucket)
    recording(config)

    def recorded() -> bool:
        page = config.select_resource_config(
            Expression=f"SELECT COUNT(*) WHERE resourceType = '{INSTANCE}' "
            "AND configuration.state.name = 'running'"
        )
        return json.loads(page["Results"][0])["COUNT(*)"] == RUNNING if page["Results"] else False

    wait_for(recorded, timeout=60)
    yield Estate(sqlite_server, account, config, running, stopped, tagged, bucket, group)
    config.stop_configuration_recorder(ConfigurationRecorderName="default")


def _select_pages(config: Any, expression: str) -> tuple[list[dict[str, Any]], int]:
    """Results as c7n's ConfigSource.resources gathers them, and the number of pages."""
    pager = Paginator(
        config.select_resource_config,
        {"input_token": "NextToken", "output_token": "NextToken", "result_key": "Results"},
        config.meta.service_model.operation_model("SelectResourceConfig"),
    )
    results: list[dict[str, Any]] = []
    pages = 0
    for page in pager.paginate(Expression=expression):
        pages += 1
        results.extend(json.loads(r) for r in page["Results"])
    return results, pages


def _load_item_config(item: dict[str, Any]) -> Any:
    """c7n's ConfigSource._load_item_config."""
    configuration = item["configuration"]
    return json.loads(configuration) if isinstance(configuration, str) else configuration


def _current(config: Any, resource_type: str, resource_id: str) -> dict[str, Any]:
    items = config.get_resource_config_history(
        resourceType=resource_type, resourceId=resource_id, limit=1
    )["configurationItems"]
    return items[0]  # type: ignore[no-any-return]


def test_the_calls_of_custodians_config_source(estate: Estate) -> None:
    config = estate.config

    # The default query: every instance, configuration whole, over two pages.
    found, pages = _select_pages(config, DEFAULT.format(INSTANCE))
    assert pages == 2
    assert sorted(r["resourceId"] for r in found) == sorted([estate.stopped, *estate.running])
    for row in found:
        assert set(row) == {"resourceId", "configuration", "supplementaryConfiguration"}
        stored = _current(config, INSTANCE, row["resourceId"])
        assert _load_item_config(row) == json.loads(stored["configuration"])
        assert row["configuration"]["instanceId"] == row["resourceId"]
    states = {r["resourceId"]: r["configuration"]["state"]["name"] for r in found}
    assert states[estate.stopped] == "stopped"
    tags = {
        r["resourceId"]: {t["key"]: t["value"] for t in r["configuration"]["tags"]} for r in found
    }
    assert {i for i, t in tags.items() if t.get("Team") == "blue"} == estate.tagged

    # A policy's clause, appended as c7n appends it ("'...'AND ...", no space).
    clause = DEFAULT.format(INSTANCE) + "AND configuration.state.name = 'running'"
    running, _ = _select_pages(config, clause)
    assert sorted(r["resourceId"] for r in running) == sorted(estate.running)

    # The S3 source names awsRegion twice (its prefix is applied to a query that has it).
    s3_expression = DEFAULT.format(BUCKET).replace("select ", "select awsRegion, ")
    s3_expression = s3_expression.replace("select ", "select awsRegion, ")
    page = config.select_resource_config(Expression=s3_expression)
    assert page["QueryInfo"]["SelectFields"] == [
        {"Name": "awsRegion"},
        {"Name": "resourceId"},
        {"Name": "configuration"},
        {"Name": "supplementaryConfiguration"},
    ]
    buckets = {r["resourceId"]: r for r in map(json.loads, page["Results"])}
    ours = buckets[estate.bucket]
    assert ours["awsRegion"] == "us-east-1"
    assert ours["configuration"]["name"] == estate.bucket
    supplementary = ours["supplementaryConfiguration"]
    versioning = supplementary["BucketVersioningConfiguration"]
    if isinstance(versioning, str):  # c7n's ConfigS3 accepts either form
        versioning = json.loads(versioning)
    assert versioning["status"] == "Off"

    # The fallback: ListDiscoveredResources, then the newest item of each resource.
    listed = (
        config.get_paginator("list_discovered_resources")
        .paginate(resourceType=INSTANCE)
        .build_full_result()
    )
    identifiers = [r["resourceId"] for r in listed["resourceIdentifiers"]]
    assert sorted(identifiers) == sorted([estate.stopped, *estate.running])
    item = _current(config, INSTANCE, estate.stopped)
    assert _load_item_config(item)["state"]["name"] == "stopped"
    assert item["tags"] == {"Team": "blue"}
    assert isinstance(item["supplementaryConfiguration"], dict)


def _custodian() -> str:
    named = os.environ.get("CONFIGLEDGER_CUSTODIAN")
    if named:
        return named
    beside = Path(__file__).resolve().parents[2] / ".venv-c7n" / "bin" / "custodian"
    if beside.exists():
        return str(beside)
    found = shutil.which("custodian")
    if found is None:
        pytest.skip("Cloud Custodian is not installed (make custodian)")
    return found


POLICY = """
policies:
  - name: running-instances
    resource: aws.ec2
    source: config
    query:
      - clause: "configuration.state.name = 'running'"
  - name: blue-instances
    resource: aws.ec2
    source: config
    filters:
      - "tag:Team": blue
  - name: security-groups
    resource: aws.security-group
    source: config
    filters:
      - GroupName: c7n-web
  - name: unversioned-buckets
    resource: aws.s3
    source: config
    filters:
      - Name: {bucket}
      - type: value
        key: Versioning.Status
        value: absent
"""


def test_a_custodian_policy_reads_its_resources_through_select(
    estate: Estate, tmp_path: Path
) -> None:
    custodian = _custodian()
    policy = tmp_path / "policy.yml"
    policy.write_text(POLICY.format(bucket=estate.bucket))
    output = tmp_path / "out"
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(tmp_path),
        "AWS_ACCESS_KEY_ID": estate.account,
        "AWS_SECRET_ACCESS_KEY": "test",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_CONFIG_FILE": str(tmp_path / "none"),
        "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "none"),
        # Only Config is pointed at the server: a call to any other service would leave
        # the machine and fail, so the resources can only have come through Config.
        "AWS_ENDPOINT_URL_CONFIG_SERVICE": estate.server.url,
    }
    done = subprocess.run(
        [custodian, "run", "--cache-period", "0", "-s", str(output), str(policy)],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr

    def resources(name: str) -> list[dict[str, Any]]:
        return json.loads((output / name / "resources.json").read_text())  # type: ignore[no-any-return]

    running = resources("running-instances")
    assert sorted(r["InstanceId"] for r in running) == sorted(estate.running)
    assert {r["State"]["Name"] for r in running} == {"running"}
    assert {r["InstanceType"] for r in running} == {"t2.micro"}
    blue = resources("blue-instances")
    assert {r["InstanceId"] for r in blue} == estate.tagged
    [group] = resources("security-groups")
    assert group["GroupId"] == estate.group
    [bucket] = resources("unversioned-buckets")
    assert bucket["Name"] == estate.bucket
