CREATE INDEX account_is_target IF NOT EXISTS FOR (n:Account) ON (n.is_target)
