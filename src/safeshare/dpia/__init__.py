"""A data protection impact assessment draft written from the live configuration."""
