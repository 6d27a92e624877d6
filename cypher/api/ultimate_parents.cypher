// The top of each account's SUBSIDIARY_OF chain (null for an account without a parent), in one record.
UNWIND $ids AS id
MATCH (a:Account {id: id})
OPTIONAL MATCH (a)-[:SUBSIDIARY_OF*1..]->(top:Account)
WHERE NOT EXISTS { (top)-[:SUBSIDIARY_OF]->(:Account) }
RETURN collect({id: id, top_id: top.id}) AS rows
