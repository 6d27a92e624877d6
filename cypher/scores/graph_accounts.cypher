// Every account with its parent and the fields matching, the ICP model and committee segments read, as one list
// (the whole-graph recompute reads the graph column by column: one record, no per-row decoding).
MATCH (a:Account)
OPTIONAL MATCH (a)-[:SUBSIDIARY_OF]->(parent:Account)
RETURN collect([a {.id, .name, .domain, .domains, .industry, .employees, .annual_revenue, .country, .technologies,
                   .is_target, .tier}, parent.id]) AS accounts
