// Every stored manager link, for cycle checks before new links are written.
MATCH (u:User)-[:REPORTS_TO]->(manager:User)
RETURN u.id AS id, manager.id AS parent_id
