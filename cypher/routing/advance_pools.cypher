// Move each pool in $pools (id, version, members, current) to the rotation a batch of routings left it
// at, in the transaction that locked and read it (routing/lock_pools, routing/pool).
UNWIND $pools AS pool
MATCH (p:Pool {id: pool.id})
SET p.rr_version = pool.version, p.rr_members = pool.members, p.rr_current = pool.current
RETURN p.id AS id
