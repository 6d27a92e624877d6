// Store recomputed lead scores and the last positive engagement time on leads.
UNWIND $rows AS r
MATCH (l:Lead {id: r.id})
SET l += r.props,
    l.scored_at = datetime($as_of),
    l.last_engaged_at = CASE WHEN r.last_engaged_at IS NULL THEN null ELSE datetime(r.last_engaged_at) END
