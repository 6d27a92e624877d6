// The first routing decision stored for each lead in $ids (escalations excluded), oldest first.
UNWIND $ids AS id
MATCH (d:RoutingDecision)-[:FOR]->(l:Lead {id: id})
WHERE coalesce(d.escalation_level, 0) = 0
WITH l, d
ORDER BY d.decided_at, d.id
RETURN l.id AS lead_id, collect(d.id)[0] AS decision_id
