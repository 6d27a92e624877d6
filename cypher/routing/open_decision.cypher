// The lead's open (PENDING) routing decision, if any.
MATCH (l:Lead {id: $lead_id})
OPTIONAL MATCH (d:RoutingDecision {status: 'PENDING'})-[:FOR]->(l)
RETURN d.id AS id
