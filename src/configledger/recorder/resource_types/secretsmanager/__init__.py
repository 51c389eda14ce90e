"""AWS Secrets Manager resource types."""
