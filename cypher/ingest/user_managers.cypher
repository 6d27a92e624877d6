// Each user REPORTS_TO its manager, replacing a different previous manager.
UNWIND $rows AS r
MATCH (u:User {id: r.id})
MATCH (manager:User {id: r.manager_id})
OPTIONAL MATCH (u)-[old:REPORTS_TO]->(previous:User)
WHERE previous.id <> r.manager_id
DELETE old
MERGE (u)-[:REPORTS_TO]->(manager)
