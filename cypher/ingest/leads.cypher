// Upsert leads by id; a new lead starts as NEW. Returns the leads that existed before and whose status
// the row changed, with the status before (for lead.status_changed webhooks).
UNWIND $rows AS r
MERGE (l:Lead {id: r.id})
WITH r, l, l.status AS before
SET l += r.props,
    l.created_at = CASE WHEN r.created_at IS NULL THEN l.created_at ELSE datetime(r.created_at) END
SET l.status = coalesce(l.status, 'NEW')
WITH l, before
WHERE before IS NOT NULL AND before <> l.status
RETURN l.id AS id, before AS previous, l.status AS status
