"""What the IAM types share: IAM's account listing, the customer managed policies that
relationships point at, and policy documents in the form AWS Config records them.

Not a resource type (it declares no ``RESOURCE_TYPE``), so the registry does not list it.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any
from urllib.parse import quote

from configledger.recorder.types import Raw, Relation, Targeted

_DETAIL_LISTS = ("UserDetailList", "GroupDetailList", "RoleDetailList", "Policies")


def authorization_details(client: Any, *filters: str) -> dict[str, list[Raw]]:
    """GetAccountAuthorizationDetails, every page, for the given entity filters."""
    out: dict[str, list[Raw]] = {key: [] for key in _DETAIL_LISTS}
    paginator = client.get_paginator("get_account_authorization_details")
    for page in paginator.paginate(Filter=list(filters)):
        for key in _DETAIL_LISTS:
            out[key].extend(page.get(key, []))
    return out


def customer_policies(client: Any) -> dict[str, Raw]:
    """The account's customer managed policies (ListPolicies, Scope=Local) by ARN.

    AWS managed policies are not AWS::IAM::Policy resources in AWS Config, so only these
    are relationship targets."""
    return {
        policy["Arn"]: policy
        for page in client.get_paginator("list_policies").paginate(Scope="Local")
        for policy in page["Policies"]
    }


def policy_ids(policies: dict[str, Raw]) -> dict[str, dict[str, str]]:
    """The slice of ``customer_policies`` a relationship needs: ARN -> id and name."""
    return {
        arn: {"PolicyId": p["PolicyId"], "PolicyName": p["PolicyName"]}
        for arn, p in policies.items()
    }


def encoded(document: Any) -> str | None:
    """A policy document as IAM returns it and AWS Config records it: URL-encoded JSON.

    botocore decodes IAM's documents into objects (its json_decode_policies handler);
    this encodes one back: compact JSON, percent-encoded as IAM does (``*`` and the other
    characters encodeURIComponent leaves alone stay as they are). A string is already
    IAM's text (a client without that handler) and is kept as it is."""
    if document is None or isinstance(document, str):
        return document
    text = json.dumps(document, separators=(",", ":"), ensure_ascii=False)
    return quote(text, safe="!'()*")


def inline_policies(policies: Iterable[Raw] | None) -> list[dict[str, Any]]:
    """UserPolicyList / GroupPolicyList / RolePolicyList as AWS Config records them."""
    return [
        {"policyName": p["PolicyName"], "policyDocument": encoded(p.get("PolicyDocument"))}
        for p in policies or ()
    ]


def attached_policy_relations(
    attached: Iterable[Raw] | None, policies: dict[str, dict[str, str]], inverse: str
) -> list[Relation]:
    """'Is attached to CustomerManagedPolicy' for each attached customer managed policy."""
    relations = []
    for attachment in attached or ():
        policy = policies.get(attachment["PolicyArn"])
        if policy is not None:
            relations.append(
                Relation(
                    "Is attached to CustomerManagedPolicy",
                    "AWS::IAM::Policy",
                    target_id=policy["PolicyId"],
                    target_name=policy["PolicyName"],
                    inverse=inverse,
                )
            )
    return relations


def paged(client: Any, operation: str, key: str, **kwargs: Any) -> list[Any]:
    """Every page's ``key`` list of a paginated IAM call."""
    return [
        item for page in client.get_paginator(operation).paginate(**kwargs) for item in page[key]
    ]


def inline_documents(client: Any, entity: str, name: str) -> list[Raw]:
    """An entity's inline policies as GetAccountAuthorizationDetails lists them
    ({PolicyName, PolicyDocument}): ``entity`` is "user", "group" or "role"."""
    argument = {f"{entity.capitalize()}Name": name}
    return [
        {
            "PolicyName": policy,
            "PolicyDocument": getattr(client, f"get_{entity}_policy")(
                PolicyName=policy, **argument
            )["PolicyDocument"],
        }
        for policy in paged(client, f"list_{entity}_policies", "PolicyNames", **argument)
    ]


def by_name(*paths: str, describe: Any) -> Targeted:
    """IAM's events name a user, group or role by its name; AWS Config identifies it by
    its unique id, so the keys are names (a renamed entity is named twice, old and new,
    and the old name is not taken for a deletion since the id is still there)."""
    return Targeted(
        paths=paths, describe=describe, not_found=frozenset({"NoSuchEntity"}), by_name=True
    )
