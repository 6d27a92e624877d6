// Take the write locks a batch of routings is decided under, before it reads what it decides on:
// the leads in $ids, every pool and every pool member (capacity). Like routing/record_decision, every
// guarded node is written (routing_lock = $lock) first: on Neo4j that takes its write lock, so the
// batch's reads are committed values no one else changes until it commits; on ArcadeDB a concurrent
// writer of one of these nodes conflicts at commit and the driver runs the whole batch again.
UNWIND $ids AS id
MATCH (l:Lead {id: id})
SET l.routing_lock = $lock
WITH count(l) AS leads
OPTIONAL MATCH (u:User)-[:MEMBER_OF]->(p:Pool)
FOREACH (_ IN CASE WHEN p IS NULL THEN [] ELSE [1] END | SET p.routing_lock = $lock, u.routing_lock = $lock)
RETURN leads, count(p) AS memberships
