// Replace the automatic account match of each lead; a lead with a MANUAL match is left alone.
// An unchanged match keeps its time: matching the same data again changes nothing stored.
UNWIND $rows AS r
MATCH (l:Lead {id: r.id})
WHERE NOT EXISTS { (l)-[:MATCHED_TO {method: 'MANUAL'}]->(:Account) }
OPTIONAL MATCH (l)-[old:MATCHED_TO]->(previous:Account)
WHERE r.account_id IS NULL OR previous.id <> r.account_id
DELETE old
WITH DISTINCT l, r
WHERE r.account_id IS NOT NULL
MATCH (a:Account {id: r.account_id})
MERGE (l)-[m:MATCHED_TO]->(a)
WITH m, r, m.method = r.method AND m.confidence = r.confidence AS unchanged
SET m.at = CASE WHEN unchanged THEN m.at ELSE datetime(r.at) END, m.method = r.method, m.confidence = r.confidence
