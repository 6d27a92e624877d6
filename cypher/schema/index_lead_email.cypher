CREATE INDEX lead_email IF NOT EXISTS FOR (n:Lead) ON (n.email)
