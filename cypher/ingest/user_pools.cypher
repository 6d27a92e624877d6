// Replace each user's pool memberships with the listed ones (weights on MEMBER_OF).
UNWIND $rows AS r
MATCH (u:User {id: r.id})
OPTIONAL MATCH (u)-[old:MEMBER_OF]->(pool:Pool)
WHERE NOT pool.id IN [m IN r.pools | m.pool]
DELETE old
WITH DISTINCT u, r
UNWIND r.pools AS membership
MERGE (p:Pool {id: membership.pool})
MERGE (u)-[m:MEMBER_OF]->(p)
SET m.weight = membership.weight
