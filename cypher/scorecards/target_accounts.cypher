// Target accounts, narrowed by tier, owner and segment (industry) when those are given.
MATCH (a:Account {is_target: true})
WHERE ($tier IS NULL OR a.tier = $tier)
  AND ($industry IS NULL OR toLower(a.industry) = $industry)
  AND ($owner_id IS NULL OR EXISTS { (:User {id: $owner_id})-[:OWNS]->(a) })
RETURN a.id AS id, a.name AS name, a.tier AS tier
