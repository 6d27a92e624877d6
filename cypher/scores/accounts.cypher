// Every account with its parent and the fields matching and the ICP model read.
MATCH (a:Account)
OPTIONAL MATCH (a)-[:SUBSIDIARY_OF]->(parent:Account)
RETURN a {.id, .name, .domain, .domains, .industry, .employees, .annual_revenue, .country, .technologies,
          .is_target, .tier} AS account,
       parent.id AS parent_id,
       COUNT { (a)<-[:WORKS_AT]-(:Contact) } AS contact_count
