CREATE INDEX engagement_days_account IF NOT EXISTS FOR (n:EngagementDays) ON (n.account_id)
