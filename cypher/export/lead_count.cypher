// How many leads `graphsvc export leads` gives: those whose changed_at is at or after $since (null:
// every lead).
MATCH (l:Lead)
WHERE $since IS NULL OR l.changed_at >= datetime($since)
RETURN count(l) AS total
