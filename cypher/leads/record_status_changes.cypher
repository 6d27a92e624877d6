// Append to lead status histories: one LeadStatusChange per row of $changes (lead_id, status,
// previous, at, reason, by), as (Lead)-[:STATUS_CHANGED]->(LeadStatusChange). Run in the transaction
// that moves the status, so a history entry exists exactly when the move committed.
UNWIND $changes AS c
MATCH (l:Lead {id: c.lead_id})
CREATE (l)-[:STATUS_CHANGED]->(s:LeadStatusChange)
SET s.status = c.status,
    s.previous = c.previous,
    s.at = datetime(c.at),
    s.reason = c.reason,
    s.by = c.by
