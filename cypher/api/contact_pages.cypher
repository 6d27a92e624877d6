// Per account: one page of its contacts' ids by name, optionally holding buying role $role.
UNWIND $ids AS id
MATCH (a:Account {id: id})
CALL (a) {
  MATCH (c:Contact)-[:WORKS_AT]->(a)
  WHERE $role IS NULL OR EXISTS { (c)-[:HAS_ROLE]->(:BuyingRole {id: $role}) }
  WITH c ORDER BY c.last_name, c.first_name, c.id SKIP $skip LIMIT $limit
  RETURN collect(c.id) AS page
}
RETURN id, page,
       COUNT {
         MATCH (other:Contact)-[:WORKS_AT]->(a)
         WHERE $role IS NULL OR EXISTS { (other)-[:HAS_ROLE]->(:BuyingRole {id: $role}) }
       } AS total
