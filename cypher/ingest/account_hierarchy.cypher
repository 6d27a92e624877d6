// Every stored parent link, for cycle checks before new links are written.
MATCH (child:Account)-[:SUBSIDIARY_OF]->(parent:Account)
RETURN child.id AS id, parent.id AS parent_id
