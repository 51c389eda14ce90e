"""An estate of three accounts in two regions, for the aggregation tests.

``hub`` owns the aggregators; ``b`` and ``c`` are source accounts that authorize (or do
not) in each region. Every partition records custom resources through PutResourceConfig
with the same resource ids, so only SourceAccountId and SourceRegion tell them apart (the
aggregators keep to these custom types: the recorders may also record AWS resources of
the sandbox, which are no part of the estate):

    account  agents per region  queues per region
    hub      1                  1
    b        2                  1
    c        3                  1
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import pytest

from tests.conftest import LiveServer, config_client, new_account, start_custom_recording

AGENT = "MyCompany::Build::Agent"
QUEUE = "MyCompany::Build::Queue"
CUSTOM_TYPES = [AGENT, QUEUE]
R1, R2 = "us-east-1", "eu-west-1"
REGIONS = (R1, R2)


def put(client: Any, resource_type: str, resource_id: str, **extra: Any) -> None:
    client.put_resource_config(
        ResourceType=resource_type,
        SchemaVersionId="1",
        ResourceId=resource_id,
        ResourceName=f"name of {resource_id}",
        Configuration=json.dumps({"id": resource_id, **extra}),
    )


@dataclass
class Estate:
    server: LiveServer
    hub: str
    b: str
    c: str
    agents: dict[str, int]
    _clients: dict[tuple[str, str], Any] = field(default_factory=dict)

    def client(self, account: str, region: str = R1) -> Any:
        """A Config client acting as ``account`` in ``region`` (one per pair, reused)."""
        if (account, region) not in self._clients:
            self._clients[(account, region)] = config_client(self.server, account, region)
        return self._clients[(account, region)]

    @property
    def accounts(self) -> list[str]:
        return [self.hub, self.b, self.c]

    def authorize(self, source: str, region: str, aggregator_region: str = R1) -> None:
        self.client(source, region).put_aggregation_authorization(
            AuthorizedAccountId=self.hub, AuthorizedAwsRegion=aggregator_region
        )

    def put_aggregator(
        self, name: str = "all", *, types: list[str] | None = CUSTOM_TYPES, **source: Any
    ) -> dict[str, Any]:
        """An aggregator of ``hub`` in R1 over the three accounts and both regions,
        unless ``source`` says otherwise; it aggregates the estate's custom types only
        (``types``), not the AWS resources the recorders may find in the sandbox."""
        spec = {"AccountIds": self.accounts, "AwsRegions": list(REGIONS), **source}
        if spec.get("AllAwsRegions"):
            spec.pop("AwsRegions")
        extra: dict[str, Any] = {}
        if types is not None:
            extra["AggregatorFilters"] = {"ResourceType": {"Type": "INCLUDE", "Value": types}}
        reply: dict[str, Any] = self.client(self.hub).put_configuration_aggregator(
            ConfigurationAggregatorName=name, AccountAggregationSources=[spec], **extra
        )
        return reply["ConfigurationAggregator"]  # type: ignore[no-any-return]


@pytest.fixture
def estate(backend: LiveServer) -> Estate:
    hub, b, c = new_account(), new_account(), new_account()
    estate = Estate(backend, hub, b, c, agents={hub: 1, b: 2, c: 3})
    for account in estate.accounts:
        for region in REGIONS:
            client = estate.client(account, region)
            start_custom_recording(client)
            for n in range(estate.agents[account]):
                put(client, AGENT, f"agent-{n}", account=account, region=region)
            put(client, QUEUE, "queue-0", account=account, region=region)
    return estate
