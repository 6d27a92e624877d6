// Claim up to $limit PENDING deliveries due at $now whose lease is free or expired (the process that
// held it died), under lease $token until $lease_until. Each candidate is written (claim_lock) before
// it is checked again: on Neo4j that takes its write lock, so the check reads what a concurrent claim
// committed; on ArcadeDB the second of two claims of one delivery conflicts at commit and its retry no
// longer finds it free. So each delivery is claimed by one process at a time. A delivery queued for a
// webhook removed meanwhile is CANCELLED instead. Returns what sending needs.
MATCH (d:WebhookDelivery {status: 'PENDING'})
WHERE d.due_at <= datetime($now) AND (d.lease_until IS NULL OR d.lease_until <= datetime($now))
WITH d
ORDER BY d.due_at, d.id
LIMIT $limit
SET d.claim_lock = $token
WITH d
WHERE d.status = 'PENDING' AND (d.lease_until IS NULL OR d.lease_until <= datetime($now))
MATCH (w:Webhook {id: d.webhook_id})
SET d.status = CASE WHEN w.active THEN 'PENDING' ELSE 'CANCELLED' END,
    d.lease_token = CASE WHEN w.active THEN $token ELSE null END,
    d.lease_until = CASE WHEN w.active THEN datetime($lease_until) ELSE null END
WITH d, w
WHERE w.active
RETURN d.id AS id,
       d.event AS event,
       d.payload AS payload,
       d.queued_at.epochMillis AS queued_at,
       d.attempts AS attempts,
       w.url AS url,
       w.secret AS secret
