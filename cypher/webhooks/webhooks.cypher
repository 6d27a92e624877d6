// Every webhook, oldest first (the secret is never read back).
MATCH (w:Webhook)
RETURN w.id AS id, w.url AS url, w.events AS events, w.active AS active
ORDER BY w.created_at, w.id
