// One page of account ids by descending employees (unknown last), filtered; $visible_to limits a REP to its own accounts.
// Only the sort keys are projected before sorting, and owners are checked only when a filter names one
// (matching every account's owner first doubled the statement's time at 10k accounts).
MATCH (a:Account)
WHERE ($is_target IS NULL OR coalesce(a.is_target, false) = $is_target)
  AND ($stage IS NULL OR a.stage = $stage)
  AND ($owner_id IS NULL OR EXISTS { (:User {id: $owner_id})-[:OWNS]->(a) })
  AND ($visible_to IS NULL OR EXISTS { (:User {id: $visible_to})-[:OWNS]->(a) })
WITH a.id AS id, a.employees AS employees
ORDER BY employees IS NULL, employees DESC, id
SKIP $skip LIMIT $limit
RETURN id
