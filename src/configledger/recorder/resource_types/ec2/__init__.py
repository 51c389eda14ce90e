"""EC2 resource types."""
