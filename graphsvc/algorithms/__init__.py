"""Pure algorithms over graph snapshots: scoring, matching, roles, fit, propagation, coverage."""
