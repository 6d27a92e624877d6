// How many open (PENDING) routing decisions an assignee holds (everyone's when $assignee is null).
MATCH (d:RoutingDecision {status: 'PENDING'})-[:ASSIGNED_TO]->(u:User)
WHERE $assignee IS NULL OR u.id = $assignee
RETURN count(d) AS total
