// The status history of each lead in $ids, oldest first, in one record (rows: id, changes; at in epoch milliseconds).
UNWIND $ids AS id
MATCH (:Lead {id: id})-[:STATUS_CHANGED]->(s:LeadStatusChange)
WITH id, s
ORDER BY s.at
WITH id, collect({status: s.status, previous: s.previous, at: s.at.epochMillis, reason: s.reason, by: s.by}) AS changes
RETURN collect({id: id, changes: changes}) AS rows
