// Store recomputed account scores, coverage and stage inputs (the moment converted once, not per row).
WITH datetime($as_of) AS scored_at
UNWIND $rows AS r
MATCH (a:Account {id: r.id})
SET a += r.props, a.scored_at = scored_at
