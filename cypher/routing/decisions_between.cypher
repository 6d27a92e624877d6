// Routing decisions on a path decided in [$since, $until), as compact rows for the SLA metrics.
// Tier, owner and segment narrow them by their lead's matched account, as the lead funnel does
// (segment: the account's industry, else the lead's own).
MATCH (d:RoutingDecision)-[:FOR]->(l:Lead)
WHERE d.decided_at >= datetime($since) AND d.decided_at < datetime($until) AND d.path IS NOT NULL
OPTIONAL MATCH (l)-[:MATCHED_TO]->(a:Account)
WITH d, l, a
WHERE ($tier IS NULL OR a.tier = $tier)
  AND ($industry IS NULL OR toLower(coalesce(a.industry, l.industry)) = $industry)
  AND ($owner_id IS NULL OR EXISTS { (:User {id: $owner_id})-[:OWNS]->(a) })
RETURN d.path AS path,
       d.status AS status,
       EXISTS { (d)-[:ASSIGNED_TO]->(:User) } AS assigned,
       d.decided_at.epochMillis AS decided_at,
       d.sla_due_at.epochMillis AS sla_due_at,
       d.closed_at.epochMillis AS closed_at
