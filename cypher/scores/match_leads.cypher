// Replace the automatic account match of each lead; a lead with a MANUAL match is left alone.
// An unchanged match keeps its time: matching the same data again changes nothing stored. A match
// that is removed, moved or rescored is a change of the lead (changed_at, r.at).
UNWIND $rows AS r
MATCH (l:Lead {id: r.id})
WHERE NOT EXISTS { (l)-[:MATCHED_TO {method: 'MANUAL'}]->(:Account) }
OPTIONAL MATCH (l)-[old:MATCHED_TO]->(previous:Account)
WHERE r.account_id IS NULL OR previous.id <> r.account_id
WITH l, r, old, old IS NOT NULL AS removed
DELETE old
SET l.changed_at = CASE WHEN removed THEN datetime(r.at) ELSE l.changed_at END
WITH DISTINCT l, r
WHERE r.account_id IS NOT NULL
MATCH (a:Account {id: r.account_id})
MERGE (l)-[m:MATCHED_TO]->(a)
WITH l, m, r, m.method = r.method AND m.confidence = r.confidence AS unchanged
SET m.at = CASE WHEN unchanged THEN m.at ELSE datetime(r.at) END, m.method = r.method, m.confidence = r.confidence,
    l.changed_at = CASE WHEN unchanged THEN l.changed_at ELSE datetime(r.at) END
