// Opportunities created by $as_of, counted by their status at $as_of (OPEN until closed) and by
// whether their account is a target account.
MATCH (o:Opportunity)
WHERE o.created_at IS NULL OR o.created_at <= datetime($as_of)
OPTIONAL MATCH (a:Account)-[:HAS_OPPORTUNITY]->(o)
RETURN CASE
         WHEN o.status IN ['WON', 'LOST'] AND (o.closed_at IS NULL OR o.closed_at <= datetime($as_of))
           THEN o.status
         ELSE 'OPEN'
       END AS status,
       coalesce(a.is_target, false) AS at_target,
       count(*) AS opportunities
