// Give a contact a buying role by hand; a manual assignment wins over CRM and inferred ones.
MATCH (c:Contact {id: $id})
MERGE (role:BuyingRole {id: $role})
MERGE (c)-[held:HAS_ROLE]->(role)
SET held.source = 'manual', held.confidence = 1.0
RETURN c.id AS id
