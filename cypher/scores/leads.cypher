// Every lead with its current account match and the roles assigned to it by hand.
MATCH (l:Lead)
OPTIONAL MATCH (l)-[m:MATCHED_TO]->(a:Account)
OPTIONAL MATCH (l)-[held:HAS_ROLE]->(role:BuyingRole)
WHERE held.source <> 'inferred'
RETURN l {.*} AS person, a.id AS account_id, m.method AS match_method, collect(role.id) AS explicit_roles
