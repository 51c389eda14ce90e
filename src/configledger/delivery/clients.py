"""boto3 clients for delivery, built as the recorder's are (recorder/sessions.py).

Sandbox: the embedded AWS on ConfigLedger's own port, acting in the channel's account.
AWS: the default credential chain, assuming the recorder's roleARN when asked to. Only
the endpoint and credentials differ. Retries are few and fast here: a failing delivery
is retried by the worker with its own backoff, and must not hold its thread for long.
"""

from __future__ import annotations

import threading
import time
from typing import Any

import boto3
from botocore.config import Config as BotoConfig

from configledger.api.auth import CredentialStore
from configledger.settings import Settings

_CONFIG = BotoConfig(
    retries={"max_attempts": 2, "mode": "standard"},
    connect_timeout=3,
    read_timeout=60,
    max_pool_connections=8,
    s3={"addressing_style": "path"},
)


class DeliveryClients:
    def __init__(self, settings: Settings, credentials: CredentialStore) -> None:
        self._settings = settings
        self._credentials = credentials
        host = "127.0.0.1" if settings.host in ("0.0.0.0", "::", "") else settings.host
        self._self_url = f"http://{host}:{settings.port}"
        self._lock = threading.Lock()
        self._clients: dict[tuple[str, str, str, str | None], tuple[float, Any]] = {}

    def client(
        self, service: str, account_id: str, region: str, role_arn: str | None = None
    ) -> Any:
        if self._settings.source != "aws" or not self._settings.assume_role:
            role_arn = None
        key = (service, account_id, region, role_arn)
        with self._lock:
            found = self._clients.get(key)
            if found is not None and found[0] > time.time() + 300:
                return found[1]
            expires, client = self._build(service, account_id, region, role_arn)
            self._clients[key] = (expires, client)
            return client

    def _build(
        self, service: str, account_id: str, region: str, role_arn: str | None
    ) -> tuple[float, Any]:
        forever = float("inf")
        if self._settings.source != "aws":
            if self._settings.sandbox_credentials:
                key, secret = account_id, "test"
            else:
                internal = self._credentials.internal(account_id)
                key, secret = internal.access_key_id, internal.secret_access_key
            client = boto3.client(
                service,
                endpoint_url=self._self_url,
                region_name=region,
                aws_access_key_id=key,
                aws_secret_access_key=secret,
                config=_CONFIG,
            )
            return forever, client
        endpoint = self._settings.aws_endpoint_url
        if role_arn is None:
            client = boto3.Session().client(
                service, region_name=region, endpoint_url=endpoint, config=_CONFIG
            )
            return forever, client
        sts = boto3.Session().client("sts", region_name=region, endpoint_url=endpoint)
        creds = sts.assume_role(RoleArn=role_arn, RoleSessionName="ConfigLedgerDelivery")[
            "Credentials"
        ]
        client = boto3.client(
            service,
            region_name=region,
            endpoint_url=endpoint,
            aws_access_key_id=creds["AccessKeyId"],
            aws_secret_access_key=creds["SecretAccessKey"],
            aws_session_token=creds["SessionToken"],
            config=_CONFIG,
        )
        return creds["Expiration"].timestamp(), client
