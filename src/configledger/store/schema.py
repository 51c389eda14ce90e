"""The tables, the single source of truth for the store's shape.

Every row belongs to an (account_id, region) partition, and every query names both:
that is how accounts and regions stay isolated.

Configuration items are append-only. ``resources`` is a projection of the newest item
of each resource, kept in the same transaction as the append, so that the list, batch
and count operations never scan history. ``outbox`` is written in that same
transaction too: consumers (delivery, rules) read it by sequence number and keep their
own cursor in ``outbox_cursors``, so a crash between commit and consumption loses
nothing.

Alembic migrations under ``migrations/`` build exactly these tables; a test compares
the two.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
)
from sqlalchemy.dialects.postgresql import JSONB

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "pk": "pk_%(table_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    }
)

# SQLite only auto-increments an INTEGER PRIMARY KEY; PostgreSQL wants BIGINT for a
# sequence that can pass two billion items.
Sequence = BigInteger().with_variant(Integer(), "sqlite")


def _partition() -> list[Column[str]]:
    return [
        Column("account_id", String(12), primary_key=True),
        Column("region", String(32), primary_key=True),
    ]


recorders = Table(
    "recorders",
    metadata,
    *_partition(),
    Column("name", String(256), primary_key=True),
    Column("arn", String(512), nullable=False, unique=True),
    Column("role_arn", String(2048), nullable=False),
    Column("recording_group", Text, nullable=False),  # JSON, the API form
    Column("recording_mode", Text, nullable=False),  # JSON, the API form
    Column("recording", Boolean, nullable=False, default=False),
    Column("last_start_ms", BigInteger),
    Column("last_stop_ms", BigInteger),
    Column("last_status", String(32)),
    Column("last_status_change_ms", BigInteger),
    Column("last_error_code", String(256)),
    Column("last_error_message", Text),
    Column("created_ms", BigInteger, nullable=False),
)

delivery_channels = Table(
    "delivery_channels",
    metadata,
    *_partition(),
    Column("name", String(256), primary_key=True),
    Column("document", Text, nullable=False),  # JSON, the API form
    Column("created_ms", BigInteger, nullable=False),
)

retention_configurations = Table(
    "retention_configurations",
    metadata,
    *_partition(),
    Column("name", String(256), primary_key=True),
    Column("retention_days", Integer, nullable=False),
)

tags = Table(
    "tags",
    metadata,
    *_partition(),
    Column("resource_arn", String(1024), primary_key=True),
    Column("key", String(128), primary_key=True),
    Column("value", String(256), nullable=False),
)

configuration_items = Table(
    "configuration_items",
    metadata,
    Column("seq", Sequence, primary_key=True, autoincrement=True),
    Column("account_id", String(12), nullable=False),
    Column("region", String(32), nullable=False),
    Column("resource_type", String(256), nullable=False),
    Column("resource_id", String(768), nullable=False),
    # configurationStateId: the capture time in epoch ms, strictly increasing per resource.
    Column("state_id", BigInteger, nullable=False),
    Column("status", String(32), nullable=False),
    Column("document", LargeBinary, nullable=False),  # orjson of the stored item
    # orjson of the configurationItemDiff against the previous item (spec 6.7), if any.
    Column("diff", LargeBinary),
    Index(
        "ix_configuration_items_resource_state",
        "account_id",
        "region",
        "resource_type",
        "resource_id",
        "state_id",
        unique=True,
    ),
)

resources = Table(
    "resources",
    metadata,
    *_partition(),
    Column("resource_type", String(256), primary_key=True),
    Column("resource_id", String(768), primary_key=True),
    Column("resource_name", String(1024)),  # the model sets no maximum; see PutResourceConfig
    Column("status", String(32), nullable=False),
    Column("item_seq", BigInteger, nullable=False),  # the newest item
    Column("state_id", BigInteger, nullable=False),  # its configurationStateId
    Column("first_state_id", BigInteger, nullable=False),
    Column("deleted_ms", BigInteger),  # set while the newest item is a deletion
    Column("custom", Boolean, nullable=False),  # recorded through PutResourceConfig
    Index("ix_resources_name", "account_id", "region", "resource_type", "resource_name"),
    Index("ix_resources_custom_active", "account_id", "region", "custom", "deleted_ms"),
)

# How many custom (PutResourceConfig) resources each partition has active, kept in the
# transaction of every append so AWS's quota check reads one row, not a count.
custom_resource_counts = Table(
    "custom_resource_counts",
    metadata,
    *_partition(),
    Column("active", Integer, nullable=False),
)

# The forward relationships of each resource's current item ("this -> related"); the
# inverse side of a relationship is found through ix_relationships_related, so both
# sides are recorded without scanning items.
relationships = Table(
    "relationships",
    metadata,
    *_partition(),
    Column("resource_type", String(256), primary_key=True),
    Column("resource_id", String(768), primary_key=True),
    Column("relationship_name", String(256), primary_key=True),
    Column("related_type", String(256), primary_key=True),
    Column("related_key", String(1024), primary_key=True),  # the related id, else its name
    Column("related_id", String(768)),
    Column("related_name", String(1024)),
    # The name the related resource's item shows for this edge, if it shows it at all.
    Column("inverse_name", String(256)),
    Index("ix_relationships_related", "account_id", "region", "related_type", "related_key"),
)

# CloudTrail-format events: the sandbox's mutating calls and ConfigLedger's own API calls,
# served back by CloudTrail's LookupEvents.
cloudtrail_events = Table(
    "cloudtrail_events",
    metadata,
    Column("seq", Sequence, primary_key=True, autoincrement=True),
    Column("account_id", String(12), nullable=False),
    Column("region", String(32), nullable=False),
    Column("event_id", String(64), nullable=False, unique=True),
    Column("event_time_ms", BigInteger, nullable=False),
    Column("event_source", String(128), nullable=False),
    Column("event_name", String(128), nullable=False),
    Column("read_only", Boolean, nullable=False),
    Column("username", String(256)),
    Column("access_key_id", String(128)),
    Column("document", LargeBinary, nullable=False),  # orjson of the CloudTrail record
    Index("ix_cloudtrail_events_time", "account_id", "region", "event_time_ms"),
)

# LookupEvents' ResourceType / ResourceName attributes: one row per resource an event names.
cloudtrail_event_resources = Table(
    "cloudtrail_event_resources",
    metadata,
    Column("event_seq", BigInteger, primary_key=True),
    Column("resource_type", String(256), primary_key=True),
    Column("resource_name", String(1024), primary_key=True),
    Index("ix_cloudtrail_event_resources_name", "resource_name"),
)

outbox = Table(
    "outbox",
    metadata,
    Column("seq", Sequence, primary_key=True, autoincrement=True),
    Column("account_id", String(12), nullable=False),
    Column("region", String(32), nullable=False),
    # What happened, e.g. "ConfigurationItemRecorded"; consumers filter on it.
    Column("topic", String(64), nullable=False),
    # The row the event is about (configuration_items.seq for items), if any.
    Column("subject_seq", BigInteger),
    Column("payload", LargeBinary, nullable=False),  # orjson, topic-specific
    Column("created_ms", BigInteger, nullable=False),
    Index("ix_outbox_topic_seq", "topic", "seq"),
)

outbox_cursors = Table(
    "outbox_cursors",
    metadata,
    Column("consumer", String(64), primary_key=True),
    Column("last_seq", BigInteger, nullable=False),
)

server_state = Table(
    "server_state",
    metadata,
    Column("key", String(64), primary_key=True),
    Column("value", Text, nullable=False),
)


# -- Delivery: S3 history files and snapshots, the SNS stream -----------------------------
# (tables of the delivery service; migration 0003)

# What the delivery service still owes each partition, copied from the outbox (in the
# transaction that advances its cursor) so that one failing bucket or topic delays only
# its own partition. kind "stream": one SNS message; kind "history": one item for the
# next history file. A row is deleted once its delivery is done.
delivery_queue = Table(
    "delivery_queue",
    metadata,
    Column("seq", Sequence, primary_key=True, autoincrement=True),
    Column("account_id", String(12), nullable=False),
    Column("region", String(32), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("topic", String(64), nullable=False),  # the outbox topic it came from
    Column("subject_seq", BigInteger),  # configuration_items.seq for items
    Column("payload", LargeBinary, nullable=False),  # orjson, the outbox payload
    Column("created_ms", BigInteger, nullable=False),  # when it was queued
    Index("ix_delivery_queue_partition", "account_id", "region", "kind", "seq"),
)

# One row per partition and kind (history, snapshot, stream): what
# DescribeDeliveryChannelStatus reports, the retry schedule, and an in-flight plan.
delivery_status = Table(
    "delivery_status",
    metadata,
    *_partition(),
    Column("kind", String(16), primary_key=True),
    Column("last_status", String(32)),
    Column("last_error_code", String(256)),
    Column("last_error_message", Text),
    Column("last_attempt_ms", BigInteger),
    Column("last_success_ms", BigInteger),
    Column("last_status_change_ms", BigInteger),
    Column("next_delivery_ms", BigInteger),
    Column("failures", Integer, nullable=False),
    Column("retry_at_ms", BigInteger),
    Column("plan", Text),  # JSON: the history delivery in flight, replayed after a crash
)

# Snapshots asked for (DeliverConfigSnapshot) or due (deliveryFrequency), until delivered.
delivery_snapshots = Table(
    "delivery_snapshots",
    metadata,
    *_partition(),
    Column("snapshot_id", String(64), primary_key=True),
    Column("requested_ms", BigInteger, nullable=False),
    Column("state", String(16), nullable=False),  # pending | started | completed | failed
    Column("s3_key", String(2048)),
    Column("total_items", BigInteger),
    Column("written_items", BigInteger),
    Column("error_code", String(256)),
    Column("error_message", Text),
    Column("finished_ms", BigInteger),
    Index("ix_delivery_snapshots_state", "state"),
)


# -- Rules: config rules, evaluation results, evaluation status ---------------------------
# (tables of the rules service; migration 0004)

config_rules = Table(
    "config_rules",
    metadata,
    *_partition(),
    Column("name", String(128), primary_key=True),
    Column("rule_id", String(64), nullable=False, unique=True),
    Column("arn", String(256), nullable=False),
    Column("owner", String(32), nullable=False),
    # The ConfigRule as the API echoes it (JSON), without its state.
    Column("document", Text, nullable=False),
    Column("state", String(32), nullable=False),
    Column("created_ms", BigInteger, nullable=False),
    # Periodic rules: when the next scheduled evaluation is due (None: not periodic).
    Column("next_periodic_ms", BigInteger),
    # The last StartConfigRulesEvaluation that named the rule (AWS allows one a minute).
    Column("last_manual_ms", BigInteger),
    # ConfigRuleEvaluationStatus (spec 7.6).
    Column("last_success_invocation_ms", BigInteger),
    Column("last_failed_invocation_ms", BigInteger),
    Column("last_success_evaluation_ms", BigInteger),
    Column("last_failed_evaluation_ms", BigInteger),
    Column("last_error_code", String(256)),
    Column("last_error_message", Text),
    Column("first_evaluation_started", Boolean, nullable=False, default=False),
    Index("ix_config_rules_next_periodic", "next_periodic_ms"),
)

# The current result of each (rule, resource): the newest by ordering time (spec 7.4).
evaluation_results = Table(
    "evaluation_results",
    metadata,
    *_partition(),
    Column("rule_name", String(128), primary_key=True),
    Column("resource_type", String(256), primary_key=True),
    Column("resource_id", String(768), primary_key=True),
    Column("compliance", String(32), nullable=False),
    Column("annotation", String(256)),
    Column("ordering_ms", BigInteger, nullable=False),
    Column("recorded_ms", BigInteger, nullable=False),
    Column("invoked_ms", BigInteger, nullable=False),
    Column("result_token", Text),
    Index("ix_evaluation_results_resource", "account_id", "region", "resource_type", "resource_id"),
)


# -- Advanced query, stored queries, aggregators and authorizations -----------------------
# (tables of the query and aggregation services; migration 0005)

# The query form of each live, recorded resource's newest item (configledger.query.document):
# top-level scalars as columns, every queryable path's leaf values in ``properties``.
# Deleted and ResourceNotRecorded resources have no row. Kept with the append of each item.
QueryProperties = Text().with_variant(JSONB(), "postgresql")

# PostgreSQL compares these keys by code point, as SQLite does, so that results come in
# the same order from both stores and the primary key serves that order.
QueryKey = String().with_variant(String(collation="C"), "postgresql")

query_resources = Table(
    "query_resources",
    metadata,
    Column("account_id", QueryKey, primary_key=True),
    Column("region", QueryKey, primary_key=True),
    Column("resource_type", QueryKey, primary_key=True),
    Column("resource_id", QueryKey, primary_key=True),
    Column("item_seq", BigInteger, nullable=False),
    Column("resource_name", String(1024)),
    Column("aws_region", String(32), nullable=False),
    Column("arn", Text),
    Column("availability_zone", String(256)),
    Column("capture_ms", BigInteger, nullable=False),
    Column("creation_ms", BigInteger),
    Column("status", String(32), nullable=False),
    Column("state_id", BigInteger, nullable=False),
    Column("version", String(16), nullable=False),
    Column("properties", QueryProperties, nullable=False),
    # SQLite: rows clustered by key, so the rows of one type are read together.
    sqlite_with_rowid=False,
)

stored_queries = Table(
    "stored_queries",
    metadata,
    *_partition(),
    Column("name", String(64), primary_key=True),
    Column("query_id", String(36), nullable=False),
    Column("arn", String(512), nullable=False, unique=True),
    Column("description", String(256)),
    Column("expression", Text),
    Column("created_ms", BigInteger, nullable=False),
)


# -- Conformance packs (migration 0007) ---------------------------------------------------

# A pack and its deployment status (spec 9.1). PutConformancePack and
# DeleteConformancePack record the request and a *_IN_PROGRESS state; the conformance
# worker (rules/conformance/deployment.py) carries it out and moves the state on, so a
# restart resumes whatever was in progress. The template columns hold what is deployed
# (for a creation, what was asked for); ``pending`` the request being carried out.
conformance_packs = Table(
    "conformance_packs",
    metadata,
    *_partition(),
    Column("name", String(256), primary_key=True),
    Column("pack_id", String(64), nullable=False, unique=True),
    Column("arn", String(512), nullable=False),
    Column("state", String(32), nullable=False),
    Column("status_reason", Text),
    # The template text last put (JSON/YAML as given) and where it came from.
    Column("template", Text, nullable=False),
    Column("template_s3_uri", String(1024)),
    Column("template_ssm_document", Text),  # JSON TemplateSSMDocumentDetails
    Column("delivery_s3_bucket", String(63)),
    Column("delivery_s3_key_prefix", String(1024)),
    Column("input_parameters", Text, nullable=False),  # JSON, the API form
    Column("created_ms", BigInteger, nullable=False),
    Column("requested_ms", BigInteger, nullable=False),
    Column("completed_ms", BigInteger),  # the last successful deployment
    # JSON: the request in progress (store/conformance.py ``Pending``); None otherwise.
    Column("pending", Text),
    Index("ix_conformance_packs_state", "state"),
)

# What each pack deployed: its rules (rows of config_rules, by name) and the remediation
# configurations of its template (stored, not applied).
conformance_pack_resources = Table(
    "conformance_pack_resources",
    metadata,
    *_partition(),
    Column("pack_name", String(256), primary_key=True),
    Column("logical_id", String(256), primary_key=True),
    Column("resource_type", String(64), nullable=False),
    Column("rule_name", String(128), nullable=False),
    # A remediation's RemediationConfiguration (JSON); None for rules.
    Column("document", Text),
    # Why ConfigLedger does not evaluate a rule; None when it does.
    Column("note", Text),
    Index("ix_conformance_pack_resources_rule", "account_id", "region", "rule_name"),
)


# -- Remediation (migration 0008) ---------------------------------------------------------

# One remediation configuration per rule (spec 9.2), as the API echoes it (JSON).
remediation_configurations = Table(
    "remediation_configurations",
    metadata,
    *_partition(),
    Column("rule_name", String(128), primary_key=True),
    Column("document", Text, nullable=False),
    Column("created_ms", BigInteger, nullable=False),
)

remediation_exceptions = Table(
    "remediation_exceptions",
    metadata,
    *_partition(),
    Column("rule_name", String(128), primary_key=True),
    Column("resource_type", String(256), primary_key=True),
    Column("resource_id", String(768), primary_key=True),
    Column("message", String(1024)),
    Column("expiration_ms", BigInteger),
)

# The newest execution of each (rule, resource): QUEUED until due_ms, IN_PROGRESS while
# its document runs (or a real SSM automation does), then SUCCEEDED or FAILED.
remediation_executions = Table(
    "remediation_executions",
    metadata,
    *_partition(),
    Column("rule_name", String(128), primary_key=True),
    Column("resource_type", String(256), primary_key=True),
    Column("resource_id", String(768), primary_key=True),
    Column("state", String(16), nullable=False),
    Column("automatic", Boolean, nullable=False),
    Column("due_ms", BigInteger, nullable=False),
    # JSON: the RemediationExecutionStep list, and the automatic attempts' start times.
    Column("steps", Text, nullable=False),
    Column("attempts", Text, nullable=False),
    Column("automation_id", String(128)),
    Column("invocation_ms", BigInteger, nullable=False),
    Column("updated_ms", BigInteger, nullable=False),
    Index("ix_remediation_executions_state", "state", "due_ms"),
)


# -- Aggregators and authorizations (migration 0006) ----------------------------------------

# A configuration aggregator of the (account_id, region) partition that owns it. Its source
# accounts are rows of ``aggregator_accounts``; its regions are every region of its
# partition (``all_regions``) or the JSON list ``regions``.
aggregators = Table(
    "aggregators",
    metadata,
    *_partition(),
    Column("name", String(256), primary_key=True),
    Column("arn", String(512), nullable=False, unique=True),
    Column("all_regions", Boolean, nullable=False),
    Column("regions", Text),  # JSON list, when not all_regions
    Column("filters", Text),  # JSON, the API form of AggregatorFilters, if given
    Column("created_ms", BigInteger, nullable=False),
    Column("updated_ms", BigInteger, nullable=False),
)

# The source accounts of each aggregator, in the order the caller gave them. The index on
# the source account finds every aggregator that asks for an account's data (its pending
# requests).
aggregator_accounts = Table(
    "aggregator_accounts",
    metadata,
    *_partition(),
    Column("name", String(256), primary_key=True),
    Column("source_account_id", String(12), primary_key=True),
    Column("position", Integer, nullable=False),
    Index("ix_aggregator_accounts_source", "source_account_id"),
)

# Authorizations live in the source partition (account_id, region) and name the aggregator
# account and region they admit; the index answers "who admitted this aggregator".
aggregation_authorizations = Table(
    "aggregation_authorizations",
    metadata,
    *_partition(),
    Column("authorized_account_id", String(12), primary_key=True),
    Column("authorized_region", String(64), primary_key=True),
    Column("arn", String(512), nullable=False),
    Column("created_ms", BigInteger, nullable=False),
    Index(
        "ix_aggregation_authorizations_authorized",
        "authorized_account_id",
        "authorized_region",
    ),
)

# Pending requests a source partition deleted (DeletePendingAggregationRequest). A request
# is derived from the aggregators that name the source; it shows again when one of them
# is put after the deletion.
dismissed_aggregation_requests = Table(
    "dismissed_aggregation_requests",
    metadata,
    *_partition(),
    Column("requester_account_id", String(12), primary_key=True),
    Column("requester_region", String(64), primary_key=True),
    Column("dismissed_ms", BigInteger, nullable=False),
)

# Source accounts added to or removed from a partition's aggregators, for AWS's weekly
# quota on such changes.
aggregator_account_changes = Table(
    "aggregator_account_changes",
    metadata,
    Column("seq", Sequence, primary_key=True, autoincrement=True),
    Column("account_id", String(12), nullable=False),
    Column("region", String(32), nullable=False),
    Column("changed_ms", BigInteger, nullable=False),
    Column("changes", Integer, nullable=False),
    Index("ix_aggregator_account_changes_time", "account_id", "region", "changed_ms"),
)
