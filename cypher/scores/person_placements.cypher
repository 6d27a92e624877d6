// Where each contact or lead in $ids counts: whether it is a contact, its accounts (WORKS_AT or
// MATCHED_TO), its buying roles, and whether it has engagements (only then does it move a sum).
UNWIND $ids AS id
OPTIONAL MATCH (c:Contact {id: id})
OPTIONAL MATCH (l:Lead {id: id})
WITH id, coalesce(c, l) AS person
WHERE person IS NOT NULL
OPTIONAL MATCH (person)-[:HAS_ROLE]->(role:BuyingRole)
WITH id, person, collect(role.id) AS roles
OPTIONAL MATCH (person)-[:WORKS_AT|MATCHED_TO]->(a:Account)
RETURN id, person:Contact AS is_contact, collect(a.id) AS accounts, roles,
       EXISTS { (person)-[:PERFORMED]->(:Engagement) } AS engaged
