// For each person in $ids: its buying roles, its account and that account's ancestors with their distance.
UNWIND $ids AS id
OPTIONAL MATCH (c:Contact {id: id})
OPTIONAL MATCH (l:Lead {id: id})
WITH id, coalesce(c, l) AS person
WHERE person IS NOT NULL
OPTIONAL MATCH (person)-[:HAS_ROLE]->(role:BuyingRole)
WITH id, person, collect(role.id) AS roles
OPTIONAL MATCH (person)-[:WORKS_AT|MATCHED_TO]->(account:Account)
OPTIONAL MATCH chain = (account)-[:SUBSIDIARY_OF*0..]->(ancestor:Account)
RETURN id, roles, account.id AS account_id,
       collect(CASE WHEN ancestor IS NULL THEN null ELSE {id: ancestor.id, distance: length(chain)} END) AS ancestors
