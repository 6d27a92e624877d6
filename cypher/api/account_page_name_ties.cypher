// Every account named $key with id > $id, by id, filtered: a run of equal names cut by a page's LIMIT, read whole.
MATCH (a:Account)
WHERE a.name = $key AND a.id > $id
  AND ($is_target IS NULL OR coalesce(a.is_target, false) = $is_target)
  AND ($stage IS NULL OR a.stage = $stage)
  AND ($owner_id IS NULL OR EXISTS { (:User {id: $owner_id})-[:OWNS]->(a) })
  AND ($visible_to IS NULL OR EXISTS { (:User {id: $visible_to})-[:OWNS]->(a) })
RETURN a.id AS id, a.name AS key
ORDER BY a.id
