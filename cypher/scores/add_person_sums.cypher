// Add new engagement points to persons' decayed sums and move their last positive engagement time;
// a sum that moves is a change of the person at $at (an engagement imported again as it was moves nothing).
UNWIND $rows AS r
OPTIONAL MATCH (c:Contact {id: r.id})
OPTIONAL MATCH (l:Lead {id: r.id})
WITH r, coalesce(c, l) AS person
WHERE person IS NOT NULL
WITH r, person, coalesce(person.score_decay_sum, 0.0) + r.delta AS total
SET person.changed_at = CASE WHEN total = coalesce(person.score_decay_sum, 0.0) THEN person.changed_at ELSE datetime($at) END,
    person.score_decay_sum = total,
    person.last_engaged_at = CASE
        WHEN r.last_engaged_at IS NULL THEN person.last_engaged_at
        WHEN person.last_engaged_at IS NULL OR person.last_engaged_at < datetime(r.last_engaged_at)
            THEN datetime(r.last_engaged_at)
        ELSE person.last_engaged_at
    END
