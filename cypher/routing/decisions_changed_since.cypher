// Routing decisions made or closed at or after $since (ids and the time of that change), for the
// relay that lets every graphsvc instance hear the decisions the others store.
MATCH (d:RoutingDecision)
WHERE d.decided_at >= datetime($since)
RETURN d.id AS id, d.decided_at.epochMillis AS at
UNION
MATCH (d:RoutingDecision)
WHERE d.closed_at >= datetime($since)
RETURN d.id AS id, d.closed_at.epochMillis AS at
