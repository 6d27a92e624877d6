// One page of leads for `graphsvc export`: in id order after $after (a seek on the id constraint's
// index), those whose changed_at is at or after $since (null: every lead).
MATCH (l:Lead)
WHERE l.id > $after AND ($since IS NULL OR l.changed_at >= datetime($since))
RETURN l.id AS id, l.changed_at.epochMillis AS changed_at
ORDER BY l.id
LIMIT $size
