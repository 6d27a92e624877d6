// Every engagement with its person, as compact rows (times in epoch milliseconds).
MATCH (p)-[:PERFORMED]->(e:Engagement)
RETURN p.id AS person_id, e.type AS type, e.detail AS detail, e.occurred_at.epochMillis AS at
