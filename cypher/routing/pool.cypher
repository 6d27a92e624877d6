// A round-robin pool: its stored rotation (version, members, current weights) and every member with
// what decides whether it can take a lead (active, capacity, open assignments = PENDING decisions).
MATCH (p:Pool {id: $pool})
OPTIONAL MATCH (u:User)-[m:MEMBER_OF]->(p)
RETURN p.rr_version AS version,
       p.rr_members AS rotation_members,
       p.rr_current AS rotation_current,
       collect(
         CASE WHEN u IS NULL THEN null ELSE {
           id: u.id, name: u.name, weight: m.weight, active: u.active, capacity: u.capacity,
           open_assignments: COUNT { (:RoutingDecision {status: 'PENDING'})-[:ASSIGNED_TO]->(u) }
         } END
       ) AS members
