// The accounts in $ids with what lead matching reads of them (name, domains, target flag) and their parent.
UNWIND $ids AS id
MATCH (a:Account {id: id})
OPTIONAL MATCH (a)-[:SUBSIDIARY_OF]->(parent:Account)
RETURN a.id AS id, [a.name, a.domain, a.domains, a.is_target] AS matching, parent.id AS parent_id
