// Give a contact a buying role by hand; a manual assignment wins over CRM and inferred ones, so an
// inferred role the contact held goes.
MATCH (c:Contact {id: $id})
OPTIONAL MATCH (c)-[inferred:HAS_ROLE {source: 'inferred'}]->(:BuyingRole)
DELETE inferred
WITH DISTINCT c
MERGE (role:BuyingRole {id: $role})
MERGE (c)-[held:HAS_ROLE]->(role)
SET held.source = 'manual', held.confidence = 1.0
RETURN c.id AS id
