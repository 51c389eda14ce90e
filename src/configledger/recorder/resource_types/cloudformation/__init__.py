"""CloudFormation resource types."""
