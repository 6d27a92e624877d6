CREATE INDEX routing_decision_decided_at IF NOT EXISTS FOR (n:RoutingDecision) ON (n.decided_at)
