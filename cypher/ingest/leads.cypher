// Upsert leads by id; a new lead starts as NEW.
UNWIND $rows AS r
MERGE (l:Lead {id: r.id})
ON CREATE SET l.status = 'NEW'
SET l += r.props,
    l.created_at = CASE WHEN r.created_at IS NULL THEN l.created_at ELSE datetime(r.created_at) END
