// Add new engagement points to persons' decayed sums and move their last positive engagement time;
// their score changed at $at.
UNWIND $rows AS r
OPTIONAL MATCH (c:Contact {id: r.id})
OPTIONAL MATCH (l:Lead {id: r.id})
WITH r, coalesce(c, l) AS person
WHERE person IS NOT NULL
SET person.score_decay_sum = coalesce(person.score_decay_sum, 0.0) + r.delta,
    person.last_engaged_at = CASE
        WHEN r.last_engaged_at IS NULL THEN person.last_engaged_at
        WHEN person.last_engaged_at IS NULL OR person.last_engaged_at < datetime(r.last_engaged_at)
            THEN datetime(r.last_engaged_at)
        ELSE person.last_engaged_at
    END,
    person.changed_at = datetime($at)
