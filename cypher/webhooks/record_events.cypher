// The outbox: queue each of $events (id, event, payload) for every active webhook subscribed to its
// name, as one PENDING WebhookDelivery per event and webhook, due at $now. Run inside the transaction
// of the change the events report, so a rollback queues nothing and a commit queues all. Webhooks are
// only read here, never written: concurrent changes do not contend on them.
UNWIND $events AS e
MATCH (w:Webhook)
WHERE w.active AND e.event IN w.events
CREATE (d:WebhookDelivery {id: e.id + ':' + w.id})
SET d.webhook_id = w.id,
    d.event_id = e.id,
    d.event = e.event,
    d.payload = e.payload,
    d.status = 'PENDING',
    d.attempts = 0,
    d.created_at = datetime($now),
    d.queued_at = datetime($now),
    d.due_at = datetime($now)
