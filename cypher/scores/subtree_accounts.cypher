// The accounts in $ids and all their subsidiaries, with parents and the fields the ICP model reads.
UNWIND $ids AS id
MATCH (top:Account {id: id})<-[:SUBSIDIARY_OF*0..]-(a:Account)
WITH DISTINCT a
OPTIONAL MATCH (a)-[:SUBSIDIARY_OF]->(parent:Account)
RETURN a {.id, .name, .industry, .employees, .annual_revenue, .country, .technologies, .is_target, .tier} AS account,
       parent.id AS parent_id
