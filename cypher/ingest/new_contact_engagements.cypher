// Create engagements not stored yet, performed by contacts (the bulk path: CREATE is much cheaper than MERGE).
UNWIND $rows AS r
MATCH (person:Contact {id: r.person_id})
CREATE (person)-[:PERFORMED]->(e:Engagement {id: r.id})
SET e += r.props, e.person_id = r.person_id, e.occurred_at = datetime(r.occurred_at)
