"""Full-text search (placeholder until the search package lands)."""
