CREATE INDEX account_score_total IF NOT EXISTS FOR (n:Account) ON (n.score_total)
