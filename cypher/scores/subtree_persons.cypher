// The contacts and matched leads of the accounts in $ids, with every buying role they hold.
UNWIND $ids AS id
MATCH (a:Account {id: id})<-[:WORKS_AT|MATCHED_TO]-(person)
OPTIONAL MATCH (person)-[:HAS_ROLE]->(role:BuyingRole)
RETURN person.id AS id, a.id AS account_id, person:Contact AS is_contact, collect(role.id) AS roles
