// Mark an account as a target (keeping its tier unless $tier is given) or not (dropping its tier).
MATCH (a:Account {id: $id})
SET a.is_target = $is_target,
    a.tier = CASE WHEN NOT $is_target THEN null WHEN $tier IS NULL THEN a.tier ELSE $tier END
RETURN a.id AS id
