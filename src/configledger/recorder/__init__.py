"""The configuration recorder: what to record, and (later) discovery of resources."""
