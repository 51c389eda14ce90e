"""Amazon S3 resource types."""
