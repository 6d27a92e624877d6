// Set each lead of $rows (id, status) to the status its replayed history ends at (demo data).
UNWIND $rows AS r
MATCH (l:Lead {id: r.id})
SET l.status = r.status
