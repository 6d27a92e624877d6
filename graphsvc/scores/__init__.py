"""Scores in the graph: the documents in force, whole-graph recompute, incremental updates, matching."""
