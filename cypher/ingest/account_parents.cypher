// Point each account at its parent (SUBSIDIARY_OF), replacing a different previous parent.
UNWIND $rows AS r
MATCH (a:Account {id: r.id})
MATCH (parent:Account {id: r.parent_id})
OPTIONAL MATCH (a)-[old:SUBSIDIARY_OF]->(previous:Account)
WHERE previous.id <> r.parent_id
DELETE old
MERGE (a)-[:SUBSIDIARY_OF]->(parent)
