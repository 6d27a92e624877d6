CREATE INDEX webhook_delivery_webhook_id IF NOT EXISTS FOR (n:WebhookDelivery) ON (n.webhook_id)
