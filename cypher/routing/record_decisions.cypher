// Store a batch of new routing decisions, decided in memory in $decisions' order within the transaction
// that took routing/lock_batch and read the facts they were decided on (so no check is left to make
// here). Each row: id, lead_id, assignee_id, props, decided_at, sla_due_at, lead_status and lead_from
// (the lead statuses the funnel allows to move into lead_status). Returns each decision's id and its
// lead's status after it.
UNWIND $decisions AS row
MATCH (l:Lead {id: row.lead_id})
OPTIONAL MATCH (u:User {id: row.assignee_id})
CREATE (d:RoutingDecision {id: row.id})-[:FOR]->(l)
SET d += row.props,
    d.decided_at = datetime(row.decided_at),
    d.sla_due_at = CASE WHEN row.sla_due_at IS NULL THEN null ELSE datetime(row.sla_due_at) END
FOREACH (_ IN CASE WHEN u IS NULL THEN [] ELSE [1] END | CREATE (d)-[:ASSIGNED_TO]->(u))
SET l.status = CASE
    WHEN row.lead_status IS NOT NULL AND coalesce(l.status, 'NEW') IN row.lead_from THEN row.lead_status
    ELSE l.status
  END
RETURN d.id AS id, l.status AS lead_status
