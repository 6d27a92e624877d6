// Upsert leads by id; a new lead starts as NEW. changed_at moves to $at only for a new lead or when a
// given value differs from the stored one: a repeated import changes nothing. Returns the leads whose
// status the row changed, with the status before (null for a new lead that arrives with a status other
// than NEW) and the lead's created_at: their status history and lead.status_changed webhooks.
UNWIND $rows AS r
MERGE (l:Lead {id: r.id})
WITH r, l, l.status AS before,
     any(key IN keys(r.props) WHERE l[key] IS NULL OR l[key] <> r.props[key])
     OR (r.created_at IS NOT NULL AND (l.created_at IS NULL OR l.created_at <> datetime(r.created_at))) AS changed
SET l += r.props,
    l.created_at = CASE WHEN r.created_at IS NULL THEN l.created_at ELSE datetime(r.created_at) END,
    l.changed_at = CASE WHEN before IS NULL OR changed THEN datetime($at) ELSE l.changed_at END
SET l.status = coalesce(l.status, 'NEW')
WITH l, before
WHERE coalesce(before, 'NEW') <> l.status
RETURN l.id AS id, before AS previous, l.status AS status, l.created_at AS created_at
