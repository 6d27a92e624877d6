// Users by id with their open assignments (PENDING routing decisions assigned to them), in one record.
UNWIND $ids AS id
MATCH (u:User {id: id})
WITH u, COUNT { (:RoutingDecision {status: 'PENDING'})-[:ASSIGNED_TO]->(u) } AS open_assignments
RETURN collect({
  id: u.id, name: u.name, email: u.email, role: u.role, active: u.active, capacity: u.capacity,
  open_assignments: open_assignments
}) AS rows
