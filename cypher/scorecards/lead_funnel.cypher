// Leads that exist at $as_of, counted by current status, by whether sales were sent them (a
// routing decision assigning them to someone by $as_of) and by whether they are new since $since.
// Tier, owner and segment narrow them by their matched account (segment: the account's industry,
// else the lead's own).
MATCH (l:Lead)
WHERE l.created_at IS NULL OR l.created_at <= datetime($as_of)
OPTIONAL MATCH (l)-[:MATCHED_TO]->(a:Account)
WITH l, a
WHERE ($tier IS NULL OR a.tier = $tier)
  AND ($industry IS NULL OR toLower(coalesce(a.industry, l.industry)) = $industry)
  AND ($owner_id IS NULL OR EXISTS { (:User {id: $owner_id})-[:OWNS]->(a) })
RETURN coalesce(l.status, 'NEW') AS status,
       COUNT {
         (:User)<-[:ASSIGNED_TO]-(d:RoutingDecision)-[:FOR]->(l)
         WHERE d.decided_at <= datetime($as_of)
       } > 0 AS sent_to_sales,
       l.created_at > datetime($since) AS new,
       count(*) AS leads
