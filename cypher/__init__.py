"""Cypher statements, one per file; installed as package data (see pyproject.toml)."""
