// Update engagements that are already stored, each PERFORMED by its contact or lead (moved when the person changed).
UNWIND $rows AS r
OPTIONAL MATCH (contact:Contact {id: r.person_id})
OPTIONAL MATCH (lead:Lead {id: r.person_id})
WITH r, coalesce(contact, lead) AS person
WHERE person IS NOT NULL
MERGE (e:Engagement {id: r.id})
SET e += r.props, e.person_id = r.person_id, e.occurred_at = datetime(r.occurred_at)
WITH person, e
OPTIONAL MATCH (previous)-[old:PERFORMED]->(e)
WHERE previous <> person
DELETE old
WITH DISTINCT person, e
MERGE (person)-[:PERFORMED]->(e)
