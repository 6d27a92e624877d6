// Contacts by id with the id of the account they work at.
UNWIND $ids AS id
MATCH (c:Contact {id: id})
OPTIONAL MATCH (c)-[:WORKS_AT]->(a:Account)
RETURN c.id AS id, c.first_name AS first_name, c.last_name AS last_name, c.email AS email, c.title AS title,
       a.id AS account_id
