// Ids of the leads created at or after $since, oldest first (the backtest replays them in order).
MATCH (l:Lead)
WHERE l.created_at >= datetime($since)
RETURN l.id AS id
ORDER BY l.created_at, l.id
