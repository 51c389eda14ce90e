"""Elastic Load Balancing (v2) resource types."""
