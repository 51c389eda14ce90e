"""Amazon SQS resource types."""
