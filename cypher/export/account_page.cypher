// One page of accounts for `graphsvc export`: in id order after $after (a seek on the id constraint's
// index), those whose changed_at is at or after $since (null: every account).
MATCH (a:Account)
WHERE a.id > $after AND ($since IS NULL OR a.changed_at >= datetime($since))
RETURN a.id AS id, a.changed_at.epochMillis AS changed_at
ORDER BY a.id
LIMIT $size
