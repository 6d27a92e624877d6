CREATE INDEX account_score_coverage IF NOT EXISTS FOR (n:Account) ON (n.score_coverage)
