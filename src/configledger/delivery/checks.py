"""PutDeliveryChannel's checks of the bucket and the topic, as AWS makes them (spec 6.1,
6.3, 12.2, 12.3): the bucket exists, a bucket or topic of another account lets Config
deliver, and the zero-byte ConfigWritabilityCheckFile is written.
"""

from __future__ import annotations

from typing import Any

import orjson
from botocore.exceptions import BotoCoreError, ClientError

from configledger.delivery import policy
from configledger.delivery.clients import DeliveryClients
from configledger.delivery.keys import Layout
from configledger.errors import (
    InsufficientDeliveryPolicyException,
    InvalidSNSTopicARNException,
    NoSuchBucketException,
)

OWNER_FULL_CONTROL = "bucket-owner-full-control"


def _code(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Code", ""))


def _denied(code: str) -> bool:
    return code in ("403", "AccessDenied", "AuthorizationError", "Forbidden")


def _insufficient(what: str, detail: str) -> InsufficientDeliveryPolicyException:
    if what == "s3":
        return InsufficientDeliveryPolicyException(
            f"Insufficient delivery policy to s3 bucket: {detail}, unable to write to bucket."
        )
    return InsufficientDeliveryPolicyException(
        f"Insufficient delivery policy to publish to the sns topic: {detail}."
    )


def check_bucket(
    clients: DeliveryClients,
    account_id: str,
    region: str,
    role_arn: str | None,
    channel: dict[str, Any],
) -> None:
    bucket = channel["s3BucketName"]
    s3 = clients.client("s3", account_id, region, role_arn)
    try:
        s3.head_bucket(Bucket=bucket)
    except ClientError as error:
        code = _code(error)
        if code in ("404", "NoSuchBucket", "NotFound"):
            raise NoSuchBucketException(f"Cannot find a S3 bucket with name '{bucket}'.") from None
        if _denied(code):
            raise _insufficient("s3", bucket) from None
        raise _insufficient("s3", f"{bucket} ({code})") from None
    except BotoCoreError as error:
        raise _insufficient("s3", f"{bucket} ({error})") from None
    layout = Layout(account_id, region, channel.get("s3KeyPrefix"))
    key = layout.writability_check()
    if not _own_bucket(s3, bucket):
        found = _policy(lambda: s3.get_bucket_policy(Bucket=bucket)["Policy"])
        if found is not False:
            requests = [
                policy.Request("s3:GetBucketAcl", f"arn:aws:s3:::{bucket}", account_id, role_arn),
                policy.Request(
                    "s3:PutObject",
                    f"arn:aws:s3:::{bucket}/{key}",
                    account_id,
                    role_arn,
                    {"s3:x-amz-acl": OWNER_FULL_CONTROL},
                ),
            ]
            if not isinstance(found, dict) or not policy.allows(found, requests):
                raise _insufficient("s3", bucket)
    try:
        s3.put_object(Bucket=bucket, Key=key, Body=b"", ACL=OWNER_FULL_CONTROL)
    except ClientError as error:
        raise _insufficient("s3", f"{bucket} ({_code(error)})") from None
    except BotoCoreError as error:
        raise _insufficient("s3", f"{bucket} ({error})") from None


def _own_bucket(s3: Any, bucket: str) -> bool:
    """Whether the bucket is in the channel's account; when that cannot be listed, it
    is taken as ours and the write decides."""
    try:
        names = {b["Name"] for b in s3.list_buckets().get("Buckets", [])}
    except (ClientError, BotoCoreError):
        return True
    return bucket in names


def _policy(read: Any) -> dict[str, Any] | bool | None:
    """The policy document; None when there is none; False when it cannot be read
    (then the write itself decides)."""
    try:
        text = read()
    except ClientError as error:
        code = _code(error)
        if code in ("NoSuchBucketPolicy", "NotFound"):
            return None
        return False
    except BotoCoreError:
        return False
    if not text:
        return None
    document: dict[str, Any] = orjson.loads(text)
    return document


def check_topic(
    clients: DeliveryClients,
    account_id: str,
    region: str,
    role_arn: str | None,
    topic_arn: str,
) -> None:
    sns = clients.client("sns", account_id, region, role_arn)
    try:
        attributes = sns.get_topic_attributes(TopicArn=topic_arn)["Attributes"]
    except ClientError as error:
        code = _code(error)
        if _denied(code):
            raise _insufficient("sns", topic_arn) from None
        raise InvalidSNSTopicARNException(
            f"The sns topic arn '{topic_arn}' is not valid: the topic does not exist."
        ) from None
    except BotoCoreError as error:
        raise InvalidSNSTopicARNException(
            f"The sns topic arn '{topic_arn}' could not be reached: {error}"
        ) from None
    if topic_arn.split(":")[4] == account_id:
        return
    text = attributes.get("Policy")
    document = orjson.loads(text) if text else {}
    request = policy.Request("sns:Publish", topic_arn, account_id, role_arn)
    if not policy.allows(document, [request]):
        raise _insufficient("sns", topic_arn)
