// Nodes per label, for status reports and import checks (the data version's bookkeeping node left out).
MATCH (n)
WHERE NOT n:DataVersion
RETURN labels(n)[0] AS label, count(*) AS nodes
ORDER BY label
