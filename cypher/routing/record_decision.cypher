// Store one routing decision for a lead, atomically with the facts it was made on (SPEC §9):
// - the lead's open decision is still $replaces (none for a new routing): a lead never has two;
// - with $pool, the pool's rotation is still at $pool_version and the assignee can still take the
//   lead (active, under capacity): concurrent routings never take one round-robin slot twice;
// - an escalation ($replaces) closes the decision it replaces and links to it.
// Every guarded node is written (routing_lock = $lock, fresh per attempt) before it is read: on
// Neo4j that takes its write lock, so the checks read committed values; on ArcadeDB two writers of
// one node conflict at commit and the driver retries one. No row comes back when a check fails; the row
// that does names the decision, the lead's status after it and the assignee as api/users_by_ids reads it.
MATCH (l:Lead {id: $lead_id})
SET l.routing_lock = $lock
WITH l
OPTIONAL MATCH (open:RoutingDecision {status: 'PENDING'})-[:FOR]->(l)
WITH l, collect(open.id) AS open_ids
WHERE open_ids = CASE WHEN $replaces IS NULL THEN [] ELSE [$replaces] END
OPTIONAL MATCH (p:Pool {id: $pool})
FOREACH (_ IN CASE WHEN p IS NULL THEN [] ELSE [1] END | SET p.routing_lock = $lock)
WITH l, p
WHERE $pool IS NULL OR coalesce(p.rr_version, 0) = $pool_version
OPTIONAL MATCH (u:User {id: $assignee_id})
FOREACH (_ IN CASE WHEN u IS NULL THEN [] ELSE [1] END | SET u.routing_lock = $lock)
WITH l, p, u
WHERE $pool IS NULL
   OR (coalesce(u.active, true)
       AND (u.capacity IS NULL OR COUNT { (:RoutingDecision {status: 'PENDING'})-[:ASSIGNED_TO]->(u) } < u.capacity))
FOREACH (_ IN CASE WHEN p IS NULL THEN [] ELSE [1] END |
  SET p.rr_version = $pool_version + 1, p.rr_members = $rotation_members, p.rr_current = $rotation_current)
CREATE (d:RoutingDecision {id: $id})-[:FOR]->(l)
SET d += $props,
    d.decided_at = datetime($decided_at),
    d.sla_due_at = CASE WHEN $sla_due_at IS NULL THEN null ELSE datetime($sla_due_at) END
FOREACH (_ IN CASE WHEN u IS NULL THEN [] ELSE [1] END | CREATE (d)-[:ASSIGNED_TO]->(u))
WITH l, d, u
OPTIONAL MATCH (old:RoutingDecision {id: $replaces})
FOREACH (_ IN CASE WHEN old IS NULL THEN [] ELSE [1] END |
  SET old.status = 'ESCALATED', old.closed_at = d.decided_at, old.close_reason = $replaced_reason
  CREATE (d)-[:ESCALATED_FROM]->(old))
SET l.status = CASE
    WHEN $lead_status IS NOT NULL AND coalesce(l.status, 'NEW') IN $lead_from THEN $lead_status
    ELSE l.status
  END
RETURN d.id AS id,
       l.status AS lead_status,
       CASE WHEN u IS NULL THEN null ELSE {
         id: u.id, name: u.name, email: u.email, role: u.role, active: u.active, capacity: u.capacity,
         open_assignments: COUNT { (:RoutingDecision {status: 'PENDING'})-[:ASSIGNED_TO]->(u) }
       } END AS assignee
