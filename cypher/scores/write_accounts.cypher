// Store recomputed account scores, coverage and stage inputs.
UNWIND $rows AS r
MATCH (a:Account {id: r.id})
SET a += r.props, a.scored_at = datetime($as_of)
