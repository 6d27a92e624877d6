// The newest routing decision about each lead in $ids, in one record.
UNWIND $ids AS id
MATCH (l:Lead {id: id})<-[:FOR]-(d:RoutingDecision)
WITH id, d ORDER BY d.decided_at DESC
WITH id, collect(d.id)[0] AS decision_id
RETURN collect({id: id, decision_id: decision_id}) AS rows
