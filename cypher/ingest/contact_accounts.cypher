// Each contact WORKS_AT its account, replacing a different previous account.
UNWIND $rows AS r
MATCH (c:Contact {id: r.id})
MATCH (a:Account {id: r.account_id})
OPTIONAL MATCH (c)-[old:WORKS_AT]->(previous:Account)
WHERE previous.id <> r.account_id
DELETE old
MERGE (c)-[:WORKS_AT]->(a)
