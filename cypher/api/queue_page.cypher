// One page of open (PENDING) routing decisions, soonest SLA first; of one assignee unless $assignee is null.
MATCH (d:RoutingDecision {status: 'PENDING'})-[:ASSIGNED_TO]->(u:User)
WHERE $assignee IS NULL OR u.id = $assignee
RETURN d.id AS id
ORDER BY d.sla_due_at, d.id
SKIP $skip LIMIT $limit
