// Which of $ids are stored contacts or leads, and which kind each is.
UNWIND $ids AS id
OPTIONAL MATCH (c:Contact {id: id})
OPTIONAL MATCH (l:Lead {id: id})
WITH id, c, l
WHERE c IS NOT NULL OR l IS NOT NULL
RETURN id, CASE WHEN c IS NULL THEN 'leads' ELSE 'contacts' END AS kind
