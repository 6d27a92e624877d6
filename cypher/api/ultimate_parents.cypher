// The top of each account's SUBSIDIARY_OF chain; null for an account without a parent.
UNWIND $ids AS id
MATCH (a:Account {id: id})
OPTIONAL MATCH (a)-[:SUBSIDIARY_OF*1..]->(top:Account)
WHERE NOT EXISTS { (top)-[:SUBSIDIARY_OF]->(:Account) }
RETURN id, top.id AS top_id
