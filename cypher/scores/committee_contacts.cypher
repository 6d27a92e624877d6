// The accounts in $ids with the fields committee segments read, and their contacts, each with its
// buying roles and the distinct (type, detail) of its engagements with
// $since_ms < occurred_at <= $until_ms (epoch milliseconds): what coverage needs (SPEC §7).
UNWIND $ids AS id
MATCH (a:Account {id: id})
OPTIONAL MATCH (a)<-[:WORKS_AT]-(c:Contact)
OPTIONAL MATCH (c)-[:HAS_ROLE]->(role:BuyingRole)
WITH a, c, collect(role.id) AS roles
OPTIONAL MATCH (c)-[:PERFORMED]->(e:Engagement)
WHERE e.occurred_at.epochMillis > $since_ms AND e.occurred_at.epochMillis <= $until_ms
WITH a, c, roles, collect(DISTINCT CASE WHEN e IS NULL THEN null ELSE [e.type, e.detail] END) AS kinds
RETURN a {.id, .name, .industry, .employees, .annual_revenue, .country, .technologies, .is_target, .tier} AS account,
       collect(CASE WHEN c IS NULL THEN null ELSE {id: c.id, roles: roles, kinds: kinds} END) AS contacts
