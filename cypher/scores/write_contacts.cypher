// Store recomputed lead scores and the last positive engagement time on contacts.
UNWIND $rows AS r
MATCH (c:Contact {id: r.id})
SET c += r.props,
    c.scored_at = datetime($as_of),
    c.last_engaged_at = CASE WHEN r.last_engaged_at IS NULL THEN null ELSE datetime(r.last_engaged_at) END
