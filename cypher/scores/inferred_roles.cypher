// Set each person's inferred buying role; a person with explicit (crm, manual) roles keeps no inferred one.
UNWIND $rows AS r
OPTIONAL MATCH (c:Contact {id: r.id})
OPTIONAL MATCH (l:Lead {id: r.id})
WITH r, coalesce(c, l) AS person
WHERE person IS NOT NULL
WITH r, person, EXISTS { (person)-[held:HAS_ROLE]->(:BuyingRole) WHERE held.source <> 'inferred' } AS explicit
OPTIONAL MATCH (person)-[old:HAS_ROLE {source: 'inferred'}]->(role:BuyingRole)
WHERE explicit OR r.role IS NULL OR role.id <> r.role
DELETE old
WITH DISTINCT person, r, explicit
WHERE r.role IS NOT NULL AND NOT explicit
MERGE (role:BuyingRole {id: r.role})
MERGE (person)-[held:HAS_ROLE]->(role)
ON CREATE SET held.source = 'inferred', held.confidence = r.confidence
