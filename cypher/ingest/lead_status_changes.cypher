// Upsert past lead status moves by id, each STATUS_CHANGED of its lead (moved when the lead changed).
// A move is an event replaced as a whole: a blank previous or reason removes the stored one.
UNWIND $rows AS r
MATCH (l:Lead {id: r.lead_id})
MERGE (s:LeadStatusChange {id: r.id})
SET s.status = r.props.status,
    s.previous = r.props.previous,
    s.at = datetime(r.at),
    s.reason = r.props.reason,
    s.by = coalesce(r.props.by, 'import')
WITH l, s
OPTIONAL MATCH (other:Lead)-[old:STATUS_CHANGED]->(s)
WHERE other.id <> l.id
DELETE old
MERGE (l)-[:STATUS_CHANGED]->(s)
