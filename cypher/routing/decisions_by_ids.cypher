// Routing decisions by id, with their lead, assignee and the decision each one escalated.
UNWIND $ids AS id
MATCH (d:RoutingDecision {id: id})-[:FOR]->(l:Lead)
OPTIONAL MATCH (d)-[:ASSIGNED_TO]->(u:User)
OPTIONAL MATCH (d)-[:ESCALATED_FROM]->(previous:RoutingDecision)
RETURN d {.id, .path, .rule, .threshold, .score, .status, .reasons, .assigned_by, .account_id, .pool, .pool_slot,
          .nurture_objectives, .escalation_level, .config_version, .scoring_version, .close_reason} AS decision,
       d.decided_at.epochMillis AS decided_at,
       d.sla_due_at.epochMillis AS sla_due_at,
       d.closed_at.epochMillis AS closed_at,
       l.id AS lead_id,
       u.id AS assignee_id,
       previous.id AS escalated_from
