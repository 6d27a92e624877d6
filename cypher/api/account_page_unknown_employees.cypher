// The accounts without an employee count after $id, by id, filtered: the tail of both employee orders.
MATCH (a:Account)
WHERE a.employees IS NULL AND a.id > $id
  AND ($is_target IS NULL OR coalesce(a.is_target, false) = $is_target)
  AND ($stage IS NULL OR a.stage = $stage)
  AND ($owner_id IS NULL OR EXISTS { (:User {id: $owner_id})-[:OWNS]->(a) })
  AND ($visible_to IS NULL OR EXISTS { (:User {id: $visible_to})-[:OWNS]->(a) })
RETURN a.id AS id, null AS key
ORDER BY a.id
LIMIT $limit
