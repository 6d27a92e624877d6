// The leads of imported status moves. The arrival an import guessed (no id, no previous, by 'import':
// the lead came with its status) gives way to the imported history that tells how it got there; then
// the lead takes the status of its newest move. changed_at moves to $at only when the status moves.
UNWIND $rows AS r
MATCH (l:Lead {id: r.lead_id})
WITH DISTINCT l
OPTIONAL MATCH (l)-[:STATUS_CHANGED]->(guess:LeadStatusChange)
WHERE guess.id IS NULL AND guess.previous IS NULL AND guess.by = 'import'
DETACH DELETE guess
WITH DISTINCT l
MATCH (l)-[:STATUS_CHANGED]->(s:LeadStatusChange)
WITH l, s
ORDER BY s.at DESC
WITH l, collect(s)[0] AS newest
WITH l, newest, coalesce(l.status, 'NEW') <> newest.status AS moved
SET l.status = newest.status,
    l.changed_at = CASE WHEN moved THEN datetime($at) ELSE l.changed_at END
