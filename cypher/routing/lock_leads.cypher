// Take the write locks of a batch of routings on its leads ($ids) before it reads their facts: like
// routing/record_decision, every guarded node is written (routing_lock = $lock) first. On Neo4j that
// takes its write lock, so the facts read next stay as read until the batch commits; on ArcadeDB a
// concurrent writer of one of these nodes conflicts at commit and the driver runs the batch again.
UNWIND $ids AS id
MATCH (l:Lead {id: id})
SET l.routing_lock = $lock
RETURN count(l) AS locked
