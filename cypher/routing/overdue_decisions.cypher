// PENDING decisions past their SLA at $now, oldest first, with the assignee and its manager, and
// everyone who already held the lead along the escalation chain (escalation skips them).
MATCH (d:RoutingDecision {status: 'PENDING'})-[:FOR]->(:Lead)
WHERE d.sla_due_at < datetime($now)
OPTIONAL MATCH (d)-[:ASSIGNED_TO]->(assignee:User)
OPTIONAL MATCH (assignee)-[:REPORTS_TO]->(manager:User)
OPTIONAL MATCH (d)-[:ESCALATED_FROM*1..]->(:RoutingDecision)-[:ASSIGNED_TO]->(earlier:User)
RETURN d.id AS id,
       assignee {.id, .name} AS assignee,
       manager {.id, .name, .active} AS manager,
       collect(DISTINCT earlier.id) AS earlier_assignees,
       d.sla_due_at.epochMillis AS sla_due_at
ORDER BY sla_due_at, id
