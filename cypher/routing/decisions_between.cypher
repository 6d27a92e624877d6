// Routing decisions on a path decided in [$since, $until), as compact rows for the SLA metrics.
MATCH (d:RoutingDecision)
WHERE d.decided_at >= datetime($since) AND d.decided_at < datetime($until) AND d.path IS NOT NULL
RETURN d.path AS path,
       d.status AS status,
       EXISTS { (d)-[:ASSIGNED_TO]->(:User) } AS assigned,
       d.decided_at.epochMillis AS decided_at,
       d.sla_due_at.epochMillis AS sla_due_at,
       d.closed_at.epochMillis AS closed_at
