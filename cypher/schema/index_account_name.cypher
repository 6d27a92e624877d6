CREATE INDEX account_name IF NOT EXISTS FOR (n:Account) ON (n.name)
