// The buying roles each contact holds, in one record.
UNWIND $ids AS id
MATCH (c:Contact {id: id})-[:HAS_ROLE]->(role:BuyingRole)
WITH id, collect(role.id) AS roles
RETURN collect({id: id, roles: roles}) AS rows
