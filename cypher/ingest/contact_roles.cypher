// Replace a contact's CRM-sourced buying roles with the listed ones; manual ones stay.
UNWIND $rows AS r
MATCH (c:Contact {id: r.id})
OPTIONAL MATCH (c)-[old:HAS_ROLE {source: 'crm'}]->(role:BuyingRole)
WHERE NOT role.id IN r.roles
DELETE old
WITH DISTINCT c, r
UNWIND r.roles AS name
MERGE (role:BuyingRole {id: name})
MERGE (c)-[held:HAS_ROLE]->(role)
ON CREATE SET held.source = 'crm', held.confidence = 1.0
