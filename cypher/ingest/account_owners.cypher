// Give each account its owner (User OWNS Account), replacing a different previous owner.
UNWIND $rows AS r
MATCH (a:Account {id: r.id})
MATCH (owner:User {id: r.owner_id})
OPTIONAL MATCH (previous:User)-[old:OWNS]->(a)
WHERE previous.id <> r.owner_id
DELETE old
MERGE (owner)-[:OWNS]->(a)
