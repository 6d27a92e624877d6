// One page of account ids by ascending employees (unknown last), filtered; $visible_to limits a REP to its own accounts.
MATCH (a:Account)
OPTIONAL MATCH (owner:User)-[:OWNS]->(a)
WITH a, owner
WHERE ($is_target IS NULL OR coalesce(a.is_target, false) = $is_target)
  AND ($stage IS NULL OR a.stage = $stage)
  AND ($owner_id IS NULL OR owner.id = $owner_id)
  AND ($visible_to IS NULL OR owner.id = $visible_to)
RETURN a.id AS id
ORDER BY a.employees IS NULL, a.employees, a.id
SKIP $skip LIMIT $limit
