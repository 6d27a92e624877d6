// Delivery $id as webhookDeliveries shows it, with whether its webhook is still active.
MATCH (d:WebhookDelivery {id: $id})
OPTIONAL MATCH (w:Webhook {id: d.webhook_id})
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
       d.payload AS payload,
       coalesce(w.active, false) AS webhook_active
