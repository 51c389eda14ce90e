"""RDS resource types."""
