"""CloudTrail resource types."""
