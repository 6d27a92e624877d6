CREATE INDEX contact_email IF NOT EXISTS FOR (n:Contact) ON (n.email)
