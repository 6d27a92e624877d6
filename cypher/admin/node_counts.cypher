// Nodes per label, for status reports and import checks.
MATCH (n)
RETURN labels(n)[0] AS label, count(*) AS nodes
ORDER BY label
