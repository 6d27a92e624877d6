CREATE INDEX routing_decision_closed_at IF NOT EXISTS FOR (n:RoutingDecision) ON (n.closed_at)
