// Every contact with its account and the roles assigned to it by CRM or by hand.
MATCH (c:Contact)
OPTIONAL MATCH (c)-[:WORKS_AT]->(a:Account)
OPTIONAL MATCH (c)-[held:HAS_ROLE]->(role:BuyingRole)
WHERE held.source <> 'inferred'
RETURN c {.*} AS person, a.id AS account_id, collect(role.id) AS explicit_roles
