// Which account each contact works at, as two aligned columns.
MATCH (c:Contact)-[:WORKS_AT]->(a:Account)
RETURN collect(c.id) AS contacts, collect(a.id) AS accounts
