// How many accounts `graphsvc export accounts` gives: those whose changed_at is at or after $since
// (null: every account).
MATCH (a:Account)
WHERE $since IS NULL OR a.changed_at >= datetime($since)
RETURN count(a) AS total
