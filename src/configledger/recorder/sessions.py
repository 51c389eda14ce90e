"""The one place boto3 clients for recording are built (DESIGN: one code path).

Sandbox source: the embedded AWS on ConfigLedger's own port, as the account's service
principal. AWS source: the default credential chain, assuming the recorder's roleARN
through STS when it is set (credentials cached until shortly before they expire).
Only the endpoint and the credentials differ; collectors cannot tell.
"""

from __future__ import annotations

import threading
import time
from typing import Any

import boto3
from botocore.config import Config as BotoConfig

from configledger.api.auth import CredentialStore
from configledger.settings import Settings

_RETRIES = BotoConfig(
    retries={"max_attempts": 8, "mode": "adaptive"},  # throttling: backoff with jitter
    connect_timeout=5,
    read_timeout=60,
    max_pool_connections=16,
)


class Sessions:
    def __init__(self, settings: Settings, credentials: CredentialStore) -> None:
        self._settings = settings
        self._credentials = credentials
        host = "127.0.0.1" if settings.host in ("0.0.0.0", "::", "") else settings.host
        self._self_url = f"http://{host}:{settings.port}"
        self._lock = threading.Lock()
        self._clients: dict[tuple[str, str, str, str | None], Any] = {}
        self._assumed: dict[tuple[str, str], tuple[float, dict[str, str]]] = {}

    @property
    def source(self) -> str:
        return self._settings.source

    def client(
        self, service: str, account_id: str, region: str, role_arn: str | None = None
    ) -> Any:
        """A (cached, thread-safe) boto3 client for ``service`` acting in the partition."""
        if self._settings.source != "aws" or not self._settings.assume_role:
            role_arn = None
        key = (service, account_id, region, role_arn)
        with self._lock:
            found = self._clients.get(key)
            if found is not None and not self._expired(account_id, role_arn):
                return found
            client = self._build(service, account_id, region, role_arn)
            self._clients[key] = client
            return client

    def _expired(self, account_id: str, role_arn: str | None) -> bool:
        if role_arn is None:
            return False
        entry = self._assumed.get((account_id, role_arn))
        return entry is None or entry[0] < time.time() + 300

    def _build(self, service: str, account_id: str, region: str, role_arn: str | None) -> Any:
        if self._settings.source != "aws":
            # The sandbox credentials work from any process (``configledger record``
            # beside a running server); without them, the in-process secret does.
            if self._settings.sandbox_credentials:
                key, secret = account_id, "test"
            else:
                internal = self._credentials.internal(account_id)
                key, secret = internal.access_key_id, internal.secret_access_key
            return boto3.client(
                service,
                endpoint_url=self._self_url,
                region_name=region,
                aws_access_key_id=key,
                aws_secret_access_key=secret,
                config=_RETRIES,
            )
        endpoint = self._settings.aws_endpoint_url
        if role_arn is None:
            return boto3.Session().client(
                service, region_name=region, endpoint_url=endpoint, config=_RETRIES
            )
        creds = self._assume(account_id, role_arn, region)
        return boto3.client(
            service,
            region_name=region,
            endpoint_url=endpoint,
            aws_access_key_id=creds["AccessKeyId"],
            aws_secret_access_key=creds["SecretAccessKey"],
            aws_session_token=creds["SessionToken"],
            config=_RETRIES,
        )

    def _assume(self, account_id: str, role_arn: str, region: str) -> dict[str, str]:
        sts = boto3.Session().client(
            "sts", region_name=region, endpoint_url=self._settings.aws_endpoint_url
        )
        answer = sts.assume_role(RoleArn=role_arn, RoleSessionName="ConfigLedgerRecorder")
        creds: dict[str, Any] = answer["Credentials"]
        self._assumed[(account_id, role_arn)] = (creds["Expiration"].timestamp(), creds)
        return creds
