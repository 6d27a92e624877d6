// The buying roles each contact holds.
UNWIND $ids AS id
MATCH (c:Contact {id: id})-[:HAS_ROLE]->(role:BuyingRole)
RETURN id, collect(role.id) AS roles
