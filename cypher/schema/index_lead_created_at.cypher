CREATE INDEX lead_created_at IF NOT EXISTS FOR (n:Lead) ON (n.created_at)
