"""AWS KMS resource types."""
