"""Configuration items: their shape, their two renderings, and how they change."""
