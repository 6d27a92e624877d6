// Mark an account as a target (keeping its tier unless $tier is given) or not (dropping its tier);
// changed_at moves to $at when either value changes.
MATCH (a:Account {id: $id})
WITH a, CASE WHEN NOT $is_target THEN null WHEN $tier IS NULL THEN a.tier ELSE $tier END AS tier
WITH a, tier, coalesce(a.is_target, false) <> $is_target OR coalesce(a.tier, 0) <> coalesce(tier, 0) AS changed
SET a.is_target = $is_target,
    a.tier = tier,
    a.changed_at = CASE WHEN changed THEN datetime($at) ELSE a.changed_at END
RETURN a.id AS id
