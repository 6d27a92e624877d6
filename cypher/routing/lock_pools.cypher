// Take the write locks of a batch of routings on the pools it assigns from ($pools) and on their
// members, before it reads their rotations and open assignments (routing/pool): see routing/lock_leads.
MATCH (u:User)-[:MEMBER_OF]->(p:Pool)
WHERE p.id IN $pools
SET p.routing_lock = $lock, u.routing_lock = $lock
RETURN count(*) AS locked
