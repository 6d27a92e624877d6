// Close a PENDING decision as $status (ACCEPTED, REJECTED or RECYCLED) and move its lead to
// $lead_status when its status is one of $lead_from. The lead is locked first, as routing does, so
// one decision is accepted, rejected, recycled or escalated once, never twice.
MATCH (d:RoutingDecision {id: $id})-[:FOR]->(l:Lead)
SET l.routing_lock = $lock
WITH d, l
WHERE d.status = 'PENDING'
SET d.status = $status,
    d.closed_at = datetime($at),
    d.close_reason = $reason,
    l.status = CASE WHEN coalesce(l.status, 'NEW') IN $lead_from THEN $lead_status ELSE l.status END
RETURN d.id AS id
