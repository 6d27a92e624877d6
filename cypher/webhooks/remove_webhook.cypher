// Remove webhook $id: it stays listed as inactive with its delivery log, nothing more is queued for it,
// its secret is forgotten and its deliveries still waiting are CANCELLED. No row when there is no such
// webhook; otherwise whether it was active until now.
MATCH (w:Webhook {id: $id})
WITH w, w.active AS was_active
SET w.active = false, w.secret = null, w.removed_at = coalesce(w.removed_at, datetime($now))
WITH w, was_active
OPTIONAL MATCH (d:WebhookDelivery {webhook_id: $id, status: 'PENDING'})
WITH was_active, collect(d) AS waiting
FOREACH (d IN waiting | SET d.status = 'CANCELLED', d.lease_token = null, d.lease_until = null)
RETURN was_active
