// Every relationship with the labels and ids of its ends and its properties: the rest of a whole-graph checksum.
MATCH (a)-[r]->(b)
RETURN type(r) AS type, labels(a) AS from_labels, a.id AS from_id, labels(b) AS to_labels, b.id AS to_id,
       properties(r) AS properties
