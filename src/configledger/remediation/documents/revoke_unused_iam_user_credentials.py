"""AWSConfigRemediation-RevokeUnusedIAMUserCredentials: the user (named by its IAM
resource id, as AWS Config records it) loses the access keys and the console password
it has not used within MaxCredentialUsageAge days (never used: counted from creation).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from configledger.remediation.types import (
    Clients,
    Document,
    DocumentFailed,
    Parameter,
    Step,
    Values,
    one,
)


def _user_name(iam: Any, resource_id: str) -> str:
    for page in iam.get_paginator("list_users").paginate():
        for user in page["Users"]:
            if user["UserId"] == resource_id or user["UserName"] == resource_id:
                return str(user["UserName"])
    raise DocumentFailed(f"No IAM user has the resource id {resource_id}")


def _unused(now: datetime, last: datetime | None, created: datetime, days: int) -> bool:
    moment = last or created
    return (now - moment).total_seconds() >= days * 86400


def _max_age(values: Values) -> int:
    raw = one(values, "MaxCredentialUsageAge")
    if not raw.isdigit():
        raise DocumentFailed(f"MaxCredentialUsageAge must be a number of days, not {raw!r}")
    return int(raw)


def _access_keys(clients: Clients, values: Values) -> None:
    iam = clients("iam")
    name = _user_name(iam, one(values, "IAMResourceId"))
    days = _max_age(values)
    for key in iam.list_access_keys(UserName=name)["AccessKeyMetadata"]:
        used = iam.get_access_key_last_used(AccessKeyId=key["AccessKeyId"])
        last = used.get("AccessKeyLastUsed", {}).get("LastUsedDate")
        if key.get("Status") == "Active" and _unused(clients.now, last, key["CreateDate"], days):
            iam.delete_access_key(UserName=name, AccessKeyId=key["AccessKeyId"])


def _login_profile(clients: Clients, values: Values) -> None:
    iam = clients("iam")
    name = _user_name(iam, one(values, "IAMResourceId"))
    try:
        profile = iam.get_login_profile(UserName=name)["LoginProfile"]
    except iam.exceptions.NoSuchEntityException:
        return
    user = iam.get_user(UserName=name)["User"]
    if _unused(clients.now, user.get("PasswordLastUsed"), profile["CreateDate"], _max_age(values)):
        iam.delete_login_profile(UserName=name)


DOCUMENT = Document(
    name="AWSConfigRemediation-RevokeUnusedIAMUserCredentials",
    parameters=(
        Parameter("AutomationAssumeRole", required=True),
        Parameter("IAMResourceId", required=True),
        Parameter("MaxCredentialUsageAge", default="90"),
    ),
    steps=(
        Step("RevokeUnusedAccessKeys", _access_keys),
        Step("RevokeUnusedLoginProfile", _login_profile),
    ),
)
