// The accounts with known employees after ($key, $id) by ascending employees, then id, filtered (unknown ones:
// account_page_unknown_employees); $visible_to limits a REP to its own accounts. The first page passes the smallest integer.
// ORDER BY the indexed key alone (index account_name/account_employees read in order, stopping at LIMIT);
// equal keys come in no particular order and are put in id order by graphsvc.schema.pagination.seek_page.
MATCH (a:Account)
WHERE a.employees >= $key AND (a.employees > $key OR a.id > $id)
  AND ($is_target IS NULL OR coalesce(a.is_target, false) = $is_target)
  AND ($stage IS NULL OR a.stage = $stage)
  AND ($owner_id IS NULL OR EXISTS { (:User {id: $owner_id})-[:OWNS]->(a) })
  AND ($visible_to IS NULL OR EXISTS { (:User {id: $visible_to})-[:OWNS]->(a) })
RETURN a.id AS id, a.employees AS key
ORDER BY a.employees
LIMIT $limit
