// Set persons' last positive engagement (null for none), as found from all their engagements.
UNWIND $rows AS r
OPTIONAL MATCH (c:Contact {id: r.id})
OPTIONAL MATCH (l:Lead {id: r.id})
WITH r, coalesce(c, l) AS person
WHERE person IS NOT NULL
SET person.last_engaged_at = CASE WHEN r.last_engaged_at IS NULL THEN null ELSE datetime(r.last_engaged_at) END
