// Every lead's id and the values of the properties named in $fields, as two aligned columns.
MATCH (l:Lead)
WHERE l.id IS NOT NULL
RETURN collect(l.id) AS ids, collect([field IN $fields | l[field]]) AS values
