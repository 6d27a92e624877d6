// The engagements of the contacts in $ids as aligned columns (times in epoch milliseconds; a missing detail is '').
UNWIND $ids AS id
MATCH (:Contact {id: id})-[:PERFORMED]->(e:Engagement)
WHERE e.occurred_at IS NOT NULL
RETURN collect(id) AS persons, collect(coalesce(e.type, '')) AS types, collect(coalesce(e.detail, '')) AS details,
       collect(e.occurred_at.epochMillis) AS times
