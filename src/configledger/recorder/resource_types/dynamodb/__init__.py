"""DynamoDB resource types."""
