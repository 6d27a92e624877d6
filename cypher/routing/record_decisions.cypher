// Store a batch of new routing decisions, decided in memory in $decisions' order within the transaction
// that locked (routing/lock_leads, routing/lock_pools) and read what they were decided on, so no check
// is left to make here, and move each pool in $pools (id, version, members, current) to the rotation the
// batch left it at. Each decision row: id, lead_id, assignee_id, props, decided_at, sla_due_at, lead_status
// and lead_from (the lead statuses the funnel allows to move into lead_status), status_reason and
// status_by. A lead that moves gets its LeadStatusChange here (as leads/record_status_changes writes
// it), in the statement that moves it: one round trip less per batch. Returns each decision's id, its
// lead's status after it and its assignee as api/users_by_ids reads it once the batch is stored.
OPTIONAL MATCH (p:Pool) WHERE p.id IN [pool IN $pools | pool.id]
FOREACH (pool IN [pool IN $pools WHERE pool.id = p.id] |
  SET p.rr_version = pool.version, p.rr_members = pool.members, p.rr_current = pool.current)
WITH count(p) AS pools_moved
UNWIND $decisions AS row
MATCH (l:Lead {id: row.lead_id})
OPTIONAL MATCH (u:User {id: row.assignee_id})
CREATE (d:RoutingDecision {id: row.id})-[:FOR]->(l)
SET d += row.props,
    d.decided_at = datetime(row.decided_at),
    d.sla_due_at = CASE WHEN row.sla_due_at IS NULL THEN null ELSE datetime(row.sla_due_at) END
FOREACH (_ IN CASE WHEN u IS NULL THEN [] ELSE [1] END | CREATE (d)-[:ASSIGNED_TO]->(u))
WITH row, d, l, coalesce(l.status, 'NEW') AS before
SET l.status = CASE
    WHEN row.lead_status IS NOT NULL AND before IN row.lead_from THEN row.lead_status
    ELSE l.status
  END
FOREACH (_ IN CASE WHEN l.status <> before THEN [1] ELSE [] END |
  CREATE (l)-[:STATUS_CHANGED]->(c:LeadStatusChange)
  SET c.status = l.status, c.previous = before, c.at = datetime(row.decided_at), c.reason = row.status_reason,
      c.by = row.status_by)
WITH collect({id: d.id, lead_status: l.status, assignee_id: row.assignee_id}) AS stored
UNWIND stored AS s
OPTIONAL MATCH (u:User {id: s.assignee_id})
RETURN s.id AS id,
       s.lead_status AS lead_status,
       CASE WHEN u IS NULL THEN null ELSE {
         id: u.id, name: u.name, email: u.email, role: u.role, active: u.active, capacity: u.capacity,
         open_assignments: COUNT { (:RoutingDecision {status: 'PENDING'})-[:ASSIGNED_TO]->(u) }
       } END AS assignee
