// Users by id with their open assignments (PENDING routing decisions assigned to them).
UNWIND $ids AS id
MATCH (u:User {id: id})
RETURN u.id AS id, u.name AS name, u.email AS email, u.role AS role, u.active AS active, u.capacity AS capacity,
       COUNT { (:RoutingDecision {status: 'PENDING'})-[:ASSIGNED_TO]->(u) } AS open_assignments
