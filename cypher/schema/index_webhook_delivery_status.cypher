CREATE INDEX webhook_delivery_status IF NOT EXISTS FOR (n:WebhookDelivery) ON (n.status)
