// Move accounts to their new stage and record each move as a StageChange at $at. The account is
// written first (its lock) and must still be at r.previous, so a move made meanwhile by another
// evaluation is not recorded twice. A move is a change of the account (changed_at). Returns the moves recorded.
UNWIND $rows AS r
MATCH (a:Account {id: r.id})
SET a.stage_lock = r.change_id
WITH a, r
WHERE coalesce(a.stage, '') = coalesce(r.previous, '')
SET a.stage = r.stage, a.stage_since = datetime($at), a.changed_at = datetime($at)
CREATE (a)-[:IN_STAGE]->(c:StageChange {id: r.change_id})
SET c.stage = r.stage, c.previous = r.previous, c.at = datetime($at)
RETURN a.id AS id, r.stage AS stage, r.previous AS previous
