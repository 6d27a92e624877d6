// Every lead, one row each: whether it exists at $as_of (created by then), its current status,
// whether sales were sent it (a routing decision assigning it to someone by $as_of), whether it is
// new since $since, when it was created (epoch ms), whether it has any status history (moved), its
// status changes up to $as_of (status, previous, at in epoch ms) out of how many it has
// (history_size), and whether a decision assigned it to someone after $as_of (sent_later). Tier,
// owner and segment narrow leads by their matched account (segment: the account's industry, else
// the lead's own). (The three "dated after $as_of" tests are separate columns: ArcadeDB 26.10
// evaluated them joined by OR as true for every lead.)
MATCH (l:Lead)
OPTIONAL MATCH (l)-[:MATCHED_TO]->(a:Account)
WITH l, a
WHERE ($tier IS NULL OR a.tier = $tier)
  AND ($industry IS NULL OR toLower(coalesce(a.industry, l.industry)) = $industry)
  AND ($owner_id IS NULL OR EXISTS { (:User {id: $owner_id})-[:OWNS]->(a) })
OPTIONAL MATCH (l)-[:STATUS_CHANGED]->(c:LeadStatusChange)
WITH l, collect(CASE WHEN c IS NULL THEN null ELSE {status: c.status, previous: c.previous, at: c.at.epochMillis} END) AS history
WITH l, history, [change IN history WHERE change.at <= datetime($as_of).epochMillis] AS changes
RETURN l.created_at IS NULL OR l.created_at <= datetime($as_of) AS exists,
       coalesce(l.status, 'NEW') AS status,
       COUNT {
         (:User)<-[:ASSIGNED_TO]-(d:RoutingDecision)-[:FOR]->(l)
         WHERE d.decided_at <= datetime($as_of)
       } > 0 AS sent_to_sales,
       l.created_at > datetime($since) AS new,
       l.created_at.epochMillis AS created_at,
       size(history) > 0 AS moved,
       changes,
       size(history) AS history_size,
       COUNT {
         (:User)<-[:ASSIGNED_TO]-(later:RoutingDecision)-[:FOR]->(l)
         WHERE later.decided_at > datetime($as_of)
       } > 0 AS sent_later
