// Relationships per type, for status reports and import checks.
MATCH ()-[r]->()
RETURN type(r) AS type, count(*) AS relationships
ORDER BY type
