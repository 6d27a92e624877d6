// Give each account its owner (User OWNS Account), replacing a different previous owner; a new owner
// moves the account's changed_at to $at.
UNWIND $rows AS r
MATCH (a:Account {id: r.id})
MATCH (owner:User {id: r.owner_id})
OPTIONAL MATCH (previous:User)-[old:OWNS]->(a)
WHERE previous.id <> r.owner_id
DELETE old
MERGE (owner)-[:OWNS]->(a)
ON CREATE SET a.changed_at = datetime($at)
