"""The HTTP surface: request authentication, routing and wire encoding."""
