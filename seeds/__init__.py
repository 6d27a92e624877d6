"""Demo data set and default configuration documents; installed as package data."""
