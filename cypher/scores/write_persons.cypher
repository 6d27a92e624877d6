// Store recomputed lead scores on contacts and leads.
UNWIND $rows AS r
OPTIONAL MATCH (c:Contact {id: r.id})
OPTIONAL MATCH (l:Lead {id: r.id})
WITH r, coalesce(c, l) AS person
WHERE person IS NOT NULL
SET person += r.props,
    person.scored_at = datetime($as_of),
    person.last_engaged_at = CASE WHEN r.last_engaged_at IS NULL THEN null ELSE datetime(r.last_engaged_at) END
