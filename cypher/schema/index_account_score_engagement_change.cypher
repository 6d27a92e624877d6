CREATE INDEX account_score_engagement_change IF NOT EXISTS FOR (n:Account) ON (n.score_engagement_change)
