CREATE INDEX account_employees IF NOT EXISTS FOR (n:Account) ON (n.employees)
