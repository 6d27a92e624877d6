CREATE CONSTRAINT routing_decision_id IF NOT EXISTS FOR (n:RoutingDecision) REQUIRE n.id IS UNIQUE
