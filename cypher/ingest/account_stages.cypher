// The accounts of imported stage changes take the stage of their newest change when it is at or
// after their stage_since: the present follows the history, and a history older than the stage
// recorded on the account leaves it alone. changed_at moves to $at only when the stage moves.
UNWIND $rows AS r
MATCH (a:Account {id: r.account_id})
WITH DISTINCT a
MATCH (a)-[:IN_STAGE]->(c:StageChange)
WITH a, c
ORDER BY c.at DESC, c.id DESC
WITH a, collect(c)[0] AS newest
WHERE a.stage_since IS NULL OR newest.at >= a.stage_since
WITH a, newest, coalesce(a.stage, '') <> coalesce(newest.stage, '') OR a.stage_since IS NULL OR a.stage_since <> newest.at AS moved
SET a.stage = newest.stage,
    a.stage_since = newest.at,
    a.changed_at = CASE WHEN moved THEN datetime($at) ELSE a.changed_at END
