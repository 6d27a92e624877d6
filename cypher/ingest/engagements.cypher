// Upsert engagements by id, each PERFORMED by its contact or lead.
UNWIND $rows AS r
OPTIONAL MATCH (contact:Contact {id: r.person_id})
OPTIONAL MATCH (lead:Lead {id: r.person_id})
WITH r, coalesce(contact, lead) AS person
WHERE person IS NOT NULL
MERGE (e:Engagement {id: r.id})
SET e += r.props, e.occurred_at = datetime(r.occurred_at)
MERGE (person)-[:PERFORMED]->(e)
