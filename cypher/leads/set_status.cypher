// Move lead $id to $status when its status (null: NEW) is one of $moves_from; the lead is written first
// (its lock, as routing takes it), so two concurrent moves are checked one after the other. Returns
// the status before, and whether it moved; no row when there is no such lead.
MATCH (l:Lead {id: $id})
SET l.routing_lock = $lock
WITH l, coalesce(l.status, 'NEW') AS previous
WITH l, previous, previous IN $moves_from AS allowed
SET l.status = CASE WHEN allowed THEN $status ELSE l.status END,
    l.changed_at = CASE WHEN allowed THEN datetime($at) ELSE l.changed_at END
RETURN previous, allowed
