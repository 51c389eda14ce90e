"""Amazon SNS resource types."""
