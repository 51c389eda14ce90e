"""Remediation: configurations, exceptions and the executions of SSM documents."""
