// Upsert accounts by id; absent values leave stored ones alone. changed_at moves to $at only for a
// new account or when a given value differs from the stored one: a repeated import changes nothing.
UNWIND $rows AS r
MERGE (a:Account {id: r.id})
ON CREATE SET a.changed_at = datetime($at)
WITH a, r, any(key IN keys(r.props) WHERE a[key] IS NULL OR a[key] <> r.props[key]) AS changed
SET a += r.props,
    a.changed_at = CASE WHEN changed THEN datetime($at) ELSE a.changed_at END
