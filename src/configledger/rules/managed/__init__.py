"""The registry of managed rules: one module per identifier, one line per module here.

Each module defines ``RULE``; ``MANAGED_RULES`` maps its identifier to it. A meta test
holds every entry to AWS's managed-rule catalogue (identifier, parameters, types).
"""

from __future__ import annotations

from importlib import import_module

from configledger.rules.types import ManagedRule

_MODULES = [
    "approved_amis_by_id",
    "desired_instance_type",
    "ebs_snapshot_public_restorable_check",
    "ec2_ebs_encryption_by_default",
    "ec2_imdsv2_check",
    "ec2_instance_no_public_ip",
    "ec2_security_group_attached_to_eni",
    "ec2_stopped_instance",
    "ec2_volume_inuse_check",
    "eip_attached",
    "encrypted_volumes",
    "incoming_ssh_disabled",
    "instances_in_vpc",
    "internet_gateway_authorized_vpc_only",
    "required_tags",
    "restricted_incoming_traffic",
    "s3_account_level_public_access_blocks_periodic",
    "s3_bucket_level_public_access_prohibited",
    "s3_bucket_logging_enabled",
    "s3_bucket_public_read_prohibited",
    "s3_bucket_public_write_prohibited",
    "s3_bucket_server_side_encryption_enabled",
    "s3_bucket_ssl_requests_only",
    "s3_bucket_versioning_enabled",
    "s3_default_encryption_kms",
    "vpc_default_security_group_closed",
    "vpc_flow_logs_enabled",
    "vpc_sg_open_only_to_authorized_ports",
]

MANAGED_RULES: dict[str, ManagedRule] = {}
for _name in _MODULES:
    _rule: ManagedRule = import_module(f"{__name__}.{_name}").RULE
    MANAGED_RULES[_rule.identifier] = _rule
