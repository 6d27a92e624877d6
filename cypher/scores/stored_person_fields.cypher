// The contacts or leads in $ids with the values of the properties named in $fields.
UNWIND $ids AS id
OPTIONAL MATCH (c:Contact {id: id})
OPTIONAL MATCH (l:Lead {id: id})
WITH id, coalesce(c, l) AS person
WHERE person IS NOT NULL
RETURN id, [field IN $fields | person[field]] AS values
