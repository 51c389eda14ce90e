"""What AWS names after a pack: the CloudFormation stack that stands for its deployment,
the template context its pseudo parameters see, and its rules' ARNs.

The request (to check the template at once) and the worker (to deploy it) resolve the
same template; both go through ``resolve`` so they see the same stack and names.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping

from configledger.rules.conformance.deploy import CONFORMS_PRINCIPAL
from configledger.rules.conformance.template import Context, PackTemplate, parse


def stack_name(pack_name: str, pack_id: str) -> str:
    return f"awsconfigconforms-{pack_name}-{pack_id}"


def stack_arn(account_id: str, region: str, pack_name: str, pack_id: str) -> str:
    stack_uuid = uuid.uuid5(uuid.NAMESPACE_URL, f"{account_id}/{region}/{pack_id}")
    stack = stack_name(pack_name, pack_id)
    return f"arn:aws:cloudformation:{region}:{account_id}:stack/{stack}/{stack_uuid}"


def rule_arn(account_id: str, region: str, rule_id: str) -> str:
    """A pack rule's ARN: service-linked, under the conformance service's principal."""
    return (
        f"arn:aws:config:{region}:{account_id}:config-rule/aws-service-rule/"
        f"{CONFORMS_PRINCIPAL}/{rule_id}"
    )


def resolve(
    text: str,
    inputs: Mapping[str, str],
    account_id: str,
    region: str,
    pack_name: str,
    pack_id: str,
) -> PackTemplate:
    """The template resolved as the pack's stack resolves it; TemplateError if it cannot
    be."""
    context = Context(
        account_id=account_id,
        region=region,
        stack_name=stack_name(pack_name, pack_id),
        stack_id=stack_arn(account_id, region, pack_name, pack_id),
        rule_name=lambda rule: f"{rule}-{pack_id}",
    )
    return parse(text, inputs, context)
