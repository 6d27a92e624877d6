// Close a PENDING decision as $status (ACCEPTED, REJECTED or RECYCLED) and move its lead to
// $lead_status when its status is one of $lead_from. The lead is locked first, as routing does, so
// one decision is accepted, rejected, recycled or escalated once, never twice. Returns the lead's
// status before and after (for lead.status_changed webhooks).
MATCH (d:RoutingDecision {id: $id})-[:FOR]->(l:Lead)
SET l.routing_lock = $lock
WITH d, l, l.status AS lead_was
WHERE d.status = 'PENDING'
SET d.status = $status,
    d.closed_at = datetime($at),
    d.close_reason = $reason,
    l.status = CASE WHEN coalesce(l.status, 'NEW') IN $lead_from THEN $lead_status ELSE l.status END
RETURN d.id AS id, l.id AS lead_id, coalesce(lead_was, 'NEW') AS previous_lead_status, l.status AS lead_status
