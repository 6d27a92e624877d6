// The accounts after ($key, $id) by descending name, then ascending id, filtered; $visible_to limits a REP to its own accounts.
// ORDER BY the indexed key alone (index account_name/account_employees read in order, stopping at LIMIT);
// equal keys come in no particular order and are put in id order by graphsvc.schema.pagination.seek_page.
MATCH (a:Account)
WHERE a.name <= $key AND (a.name < $key OR a.id > $id)
  AND ($is_target IS NULL OR coalesce(a.is_target, false) = $is_target)
  AND ($stage IS NULL OR a.stage = $stage)
  AND ($owner_id IS NULL OR EXISTS { (:User {id: $owner_id})-[:OWNS]->(a) })
  AND ($visible_to IS NULL OR EXISTS { (:User {id: $visible_to})-[:OWNS]->(a) })
RETURN a.id AS id, a.name AS key
ORDER BY a.name DESC
LIMIT $limit
