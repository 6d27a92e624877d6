// Queue delivery $id again: PENDING, due at $now, with a fresh retry window from $now; its attempts so
// far stay counted. It takes over from an attempt in flight, whose result is then not recorded.
MATCH (d:WebhookDelivery {id: $id})
SET d.status = 'PENDING',
    d.due_at = datetime($now),
    d.queued_at = datetime($now),
    d.lease_token = null,
    d.lease_until = null
RETURN d.id AS id
