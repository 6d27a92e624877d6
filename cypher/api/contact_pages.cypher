// Per account: one page of its contacts by name, as their records (the fields of api/contacts_by_ids: a page
// needs no second read), optionally holding buying role $role, and
// optionally only those engaged (or not) since $engaged_since: a positive-point engagement after
// it, as `last_engaged_at` (kept by recompute and import) records, and how many; in one record.
UNWIND $ids AS id
MATCH (a:Account {id: id})
CALL (a) {
  MATCH (c:Contact)-[:WORKS_AT]->(a)
  WHERE ($role IS NULL OR EXISTS { (c)-[:HAS_ROLE]->(:BuyingRole {id: $role}) })
    AND ($engaged IS NULL OR coalesce(c.last_engaged_at > datetime($engaged_since), false) = $engaged)
  WITH a, c ORDER BY c.last_name, c.first_name, c.id SKIP $skip LIMIT $limit
  RETURN collect({
    id: c.id, first_name: c.first_name, last_name: c.last_name, email: c.email, title: c.title, account_id: a.id
  }) AS page
}
WITH id, page,
     COUNT {
       MATCH (other:Contact)-[:WORKS_AT]->(a)
       WHERE ($role IS NULL OR EXISTS { (other)-[:HAS_ROLE]->(:BuyingRole {id: $role}) })
         AND ($engaged IS NULL OR coalesce(other.last_engaged_at > datetime($engaged_since), false) = $engaged)
     } AS total
RETURN collect({id: id, page: page, total: total}) AS rows
