// The accounts of $owner with known employees after ($key, $id) by descending employees, then ascending id,
// filtered (account_page_by_employees_desc for one owner).
// Starts from the accounts of $owner ($owner_id, else $visible_to) and sorts those few: walking the key index
// and checking every account's owner took ~0.6 s at 10k accounts for an owner of two.
MATCH (:User {id: $owner})-[:OWNS]->(a:Account)
WHERE a.employees <= $key AND (a.employees < $key OR a.id > $id)
  AND ($is_target IS NULL OR coalesce(a.is_target, false) = $is_target)
  AND ($stage IS NULL OR a.stage = $stage)
  AND ($owner_id IS NULL OR EXISTS { (:User {id: $owner_id})-[:OWNS]->(a) })
  AND ($visible_to IS NULL OR EXISTS { (:User {id: $visible_to})-[:OWNS]->(a) })
RETURN a.id AS id, a.employees AS key
ORDER BY a.employees DESC
LIMIT $limit
