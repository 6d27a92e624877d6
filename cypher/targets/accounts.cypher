// Every account with the fields the ICP model and lookalikes read, and its won opportunities: when
// each dated one closed, and whether one has no closing date (a customer at any moment).
MATCH (a:Account)
OPTIONAL MATCH (a)-[:HAS_OPPORTUNITY]->(o:Opportunity {status: 'WON'})
RETURN a {.id, .name, .industry, .employees, .annual_revenue, .country, .technologies, .is_target, .tier} AS account,
       collect(o.closed_at) AS won_closed_at,
       count(CASE WHEN o IS NOT NULL AND o.closed_at IS NULL THEN 1 END) > 0 AS won_undated
