// Per parent account: one page of its direct subsidiaries' ids by name, and how many there are, in one record.
UNWIND $ids AS id
MATCH (a:Account {id: id})
CALL (a) {
  MATCH (child:Account)-[:SUBSIDIARY_OF]->(a)
  WHERE $visible_to IS NULL OR EXISTS { (:User {id: $visible_to})-[:OWNS]->(child) }
  WITH child ORDER BY child.name, child.id SKIP $skip LIMIT $limit
  RETURN collect(child.id) AS page
}
WITH id, page,
     COUNT {
       MATCH (other:Account)-[:SUBSIDIARY_OF]->(a)
       WHERE $visible_to IS NULL OR EXISTS { (:User {id: $visible_to})-[:OWNS]->(other) }
     } AS total
RETURN collect({id: id, page: page, total: total}) AS rows
