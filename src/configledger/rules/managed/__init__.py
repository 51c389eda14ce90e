"""The registry of managed rules: one module per identifier, one line per module here.

Each module defines ``RULE``; ``MANAGED_RULES`` maps its identifier to it. A meta test
holds every entry to AWS's managed-rule catalogue (identifier, parameters, types).
"""

from __future__ import annotations

from importlib import import_module

from configledger.rules.types import ManagedRule

_MODULES = [
    "access_keys_rotated",
    "alb_http_drop_invalid_header_enabled",
    "alb_http_to_https_redirection_check",
    "approved_amis_by_id",
    "autoscaling_group_elb_healthcheck_required",
    "autoscaling_multiple_az",
    "cloud_trail_enabled",
    "cloud_trail_encryption_enabled",
    "cloud_trail_log_file_validation_enabled",
    "cloudformation_termination_protection_check",
    "cmk_backing_key_rotation_enabled",
    "db_instance_backup_enabled",
    "desired_instance_type",
    "dynamodb_pitr_enabled",
    "dynamodb_table_encrypted_kms",
    "ebs_snapshot_public_restorable_check",
    "ec2_ebs_encryption_by_default",
    "ec2_imdsv2_check",
    "ec2_instance_detailed_monitoring_enabled",
    "ec2_instance_no_public_ip",
    "ec2_instance_profile_attached",
    "ec2_security_group_attached_to_eni",
    "ec2_stopped_instance",
    "ec2_volume_inuse_check",
    "eip_attached",
    "elb_deletion_protection_enabled",
    "elb_logging_enabled",
    "encrypted_volumes",
    "guardduty_enabled_centralized",
    "iam_group_has_users_check",
    "iam_no_inline_policy_check",
    "iam_password_policy",
    "iam_policy_no_statements_with_admin_access",
    "iam_policy_no_statements_with_full_access",
    "iam_root_access_key_check",
    "iam_user_mfa_enabled",
    "iam_user_no_policies_check",
    "iam_user_unused_credentials_check",
    "incoming_ssh_disabled",
    "instances_in_vpc",
    "internet_gateway_authorized_vpc_only",
    "kms_cmk_not_scheduled_for_deletion",
    "lambda_function_public_access_prohibited",
    "lambda_function_settings_check",
    "lambda_inside_vpc",
    "mfa_enabled_for_iam_console_access",
    "multi_region_cloud_trail_enabled",
    "no_unrestricted_route_to_igw",
    "rds_automatic_minor_version_upgrade_enabled",
    "rds_enhanced_monitoring_enabled",
    "rds_instance_deletion_protection_enabled",
    "rds_instance_public_access_check",
    "rds_multi_az_support",
    "rds_storage_encrypted",
    "required_tags",
    "restricted_incoming_traffic",
    "root_account_mfa_enabled",
    "s3_account_level_public_access_blocks_periodic",
    "s3_bucket_level_public_access_prohibited",
    "s3_bucket_logging_enabled",
    "s3_bucket_public_read_prohibited",
    "s3_bucket_public_write_prohibited",
    "s3_bucket_server_side_encryption_enabled",
    "s3_bucket_ssl_requests_only",
    "s3_bucket_versioning_enabled",
    "s3_default_encryption_kms",
    "secretsmanager_rotation_enabled_check",
    "secretsmanager_using_cmk",
    "securityhub_enabled",
    "sns_encrypted_kms",
    "sqs_queue_no_public_access",
    "subnet_auto_assign_public_ip_disabled",
    "vpc_default_security_group_closed",
    "vpc_flow_logs_enabled",
    "vpc_sg_open_only_to_authorized_ports",
]

MANAGED_RULES: dict[str, ManagedRule] = {}
for _name in _MODULES:
    _rule: ManagedRule = import_module(f"{__name__}.{_name}").RULE
    MANAGED_RULES[_rule.identifier] = _rule
