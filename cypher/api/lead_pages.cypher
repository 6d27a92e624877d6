// Per account: one page of the ids of leads matched to it, newest first, optionally of one status, and how
// many; in one record.
UNWIND $ids AS id
MATCH (a:Account {id: id})
CALL (a) {
  MATCH (l:Lead)-[:MATCHED_TO]->(a)
  WHERE $status IS NULL OR l.status = $status
  WITH l ORDER BY l.created_at IS NULL, l.created_at DESC, l.id SKIP $skip LIMIT $limit
  RETURN collect(l.id) AS page
}
WITH id, page,
     COUNT {
       MATCH (other:Lead)-[:MATCHED_TO]->(a)
       WHERE $status IS NULL OR other.status = $status
     } AS total
RETURN collect({id: id, page: page, total: total}) AS rows
