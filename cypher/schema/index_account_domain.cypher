CREATE INDEX account_domain IF NOT EXISTS FOR (n:Account) ON (n.domain)
