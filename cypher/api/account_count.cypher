// How many accounts pass the filters of the account pages.
MATCH (a:Account)
WHERE ($is_target IS NULL OR coalesce(a.is_target, false) = $is_target)
  AND ($stage IS NULL OR a.stage = $stage)
  AND ($owner_id IS NULL OR EXISTS { (:User {id: $owner_id})-[:OWNS]->(a) })
  AND ($visible_to IS NULL OR EXISTS { (:User {id: $visible_to})-[:OWNS]->(a) })
RETURN count(a) AS total
