// The accounts in $ids with what lead matching reads of them (name, domains, target flag), their parent, and
// the fields committee segments read (as scores/committee_contacts returns them).
UNWIND $ids AS id
MATCH (a:Account {id: id})
OPTIONAL MATCH (a)-[:SUBSIDIARY_OF]->(parent:Account)
RETURN a.id AS id, [a.name, a.domain, a.domains, a.is_target] AS matching, parent.id AS parent_id,
       a {.industry, .employees, .annual_revenue, .country, .technologies, .is_target, .tier} AS segment
