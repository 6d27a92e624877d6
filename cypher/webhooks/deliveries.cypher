// A page of webhook $webhook_id's delivery log, newest first (created_at, then id, both descending):
// the $limit deliveries after the one with id $after (null: from the newest).
OPTIONAL MATCH (a:WebhookDelivery {id: $after})
WITH a
MATCH (d:WebhookDelivery {webhook_id: $webhook_id})
WHERE $after IS NULL OR d.created_at < a.created_at OR (d.created_at = a.created_at AND d.id < a.id)
RETURN d.id AS id,
       d.webhook_id AS webhook_id,
       d.event AS event,
       d.status AS status,
       d.attempts AS attempts,
       d.last_status_code AS last_status_code,
       d.last_attempt_at.epochMillis AS last_attempt_at,
       d.last_error AS last_error,
       d.due_at.epochMillis AS due_at,
       d.created_at.epochMillis AS created_at,
       d.payload AS payload
ORDER BY d.created_at DESC, d.id DESC
LIMIT $limit
