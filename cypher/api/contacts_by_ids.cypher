// Contacts by id with the id of the account they work at, in one record.
UNWIND $ids AS id
MATCH (c:Contact {id: id})
OPTIONAL MATCH (c)-[:WORKS_AT]->(a:Account)
RETURN collect({
  id: c.id, first_name: c.first_name, last_name: c.last_name, email: c.email, title: c.title, account_id: a.id
}) AS rows
