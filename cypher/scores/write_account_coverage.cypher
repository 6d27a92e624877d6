// Replace accounts' stored coverage figures (score_coverage, score_known_roles, score_committee and the
// windowed ones) after a write changed their contacts, their roles or their committee segment; an account
// no recompute has scored keeps none, as it has no score.
UNWIND $rows AS r
MATCH (a:Account {id: r.id})
WHERE a.scored_at IS NOT NULL
SET a += r.props
