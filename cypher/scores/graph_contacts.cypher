// Every contact's id and the values of the properties named in $fields, as two aligned columns.
MATCH (c:Contact)
WHERE c.id IS NOT NULL
RETURN collect(c.id) AS ids, collect([field IN $fields | c[field]]) AS values
