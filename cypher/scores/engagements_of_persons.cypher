// The engagements of each contact or lead in $ids: [engagement id, type, detail, epoch milliseconds].
UNWIND $ids AS id
OPTIONAL MATCH (c:Contact {id: id})
OPTIONAL MATCH (l:Lead {id: id})
WITH id, coalesce(c, l) AS person
WHERE person IS NOT NULL
OPTIONAL MATCH (person)-[:PERFORMED]->(e:Engagement)
RETURN id, collect(CASE WHEN e IS NULL THEN null ELSE [e.id, e.type, e.detail, e.occurred_at.epochMillis] END) AS engagements
