CREATE INDEX lead_score_total IF NOT EXISTS FOR (n:Lead) ON (n.score_total)
