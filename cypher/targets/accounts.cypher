// Every account with the fields the ICP model and lookalikes read, and whether it is a customer
// at $as_of (an opportunity won by then).
MATCH (a:Account)
RETURN a {.id, .name, .industry, .employees, .annual_revenue, .country, .technologies, .is_target, .tier} AS account,
       EXISTS {
         MATCH (a)-[:HAS_OPPORTUNITY]->(o:Opportunity {status: 'WON'})
         WHERE o.closed_at IS NULL OR o.closed_at <= datetime($as_of)
       } AS customer
