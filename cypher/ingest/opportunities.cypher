// Upsert opportunities by id and hang them off their account.
UNWIND $rows AS r
MATCH (a:Account {id: r.account_id})
MERGE (o:Opportunity {id: r.id})
ON CREATE SET o.status = 'OPEN'
SET o += r.props,
    o.created_at = CASE WHEN r.created_at IS NULL THEN o.created_at ELSE datetime(r.created_at) END,
    o.closed_at = CASE WHEN r.closed_at IS NULL THEN o.closed_at ELSE datetime(r.closed_at) END
WITH a, o
OPTIONAL MATCH (previous:Account)-[old:HAS_OPPORTUNITY]->(o)
WHERE previous.id <> a.id
DELETE old
MERGE (a)-[:HAS_OPPORTUNITY]->(o)
