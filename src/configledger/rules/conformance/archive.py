"""The pack's template in its delivery bucket (``DeliveryS3Bucket``, "the Amazon S3
bucket where AWS Config stores conformance pack templates").

AWS documents the bucket, its optional ``DeliveryS3KeyPrefix`` and the bucket policy
(spec 12.4: the conformance service writes under ``[<prefix>/]AWSLogs/<account>/Config/``
with ``bucket-owner-full-control``), not the object's name. ConfigLedger writes one
object per pack, inside that granted path:

    [<prefix>/]AWSLogs/<account>/Config/<region>/ConformancePacks/<pack name>/<pack id>/template

holding the template text exactly as it was given (TemplateBody, or the object or SSM
document it was read from), with the content type of its form (JSON or YAML). Each
deployment of the pack writes it again before the pack's rules change, so the object is
the template of the pack's latest deployment; the key is a function of the pack alone,
so a retried write replaces the object rather than adding one.
"""

from __future__ import annotations

from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from configledger.delivery.keys import Layout
from configledger.delivery.s3 import object_args


class TemplateNotStored(Exception):
    """The write failed; the message names the object and S3's answer."""


def template_key(
    account_id: str, region: str, prefix: str | None, pack_name: str, pack_id: str
) -> str:
    root = Layout(account_id, region, prefix or None).root
    return f"{root}/{region}/ConformancePacks/{pack_name}/{pack_id}/template"


def content_type(text: str) -> str:
    return "application/json" if text.lstrip().startswith("{") else "application/x-yaml"


def store_template(s3: Any, bucket: str, key: str, text: str) -> None:
    """Write the template to ``bucket/key``; TemplateNotStored if S3 refuses or fails."""
    try:
        s3.put_object(
            Bucket=bucket,
            Key=key,
            Body=text.encode("utf-8"),
            ContentType=content_type(text),
            **object_args(None),
        )
    except ClientError as exc:
        details = exc.response.get("Error", {})
        code = details.get("Code", "ClientError")
        message = details.get("Message") or str(exc)
        raise TemplateNotStored(
            f"AWS Config cannot write the conformance pack template to s3://{bucket}/{key}: "
            f"{code} ({message})"
        ) from None
    except BotoCoreError as exc:
        raise TemplateNotStored(
            f"AWS Config cannot write the conformance pack template to s3://{bucket}/{key}: {exc}"
        ) from None
