// Per account in $ids, the opportunities open at $as_of (created by then, not closed by then) and
// their total amount.
UNWIND $ids AS id
MATCH (a:Account {id: id})-[:HAS_OPPORTUNITY]->(o:Opportunity)
WHERE (o.created_at IS NULL OR o.created_at <= datetime($as_of))
  AND (o.status = 'OPEN' OR o.closed_at > datetime($as_of))
RETURN a.id AS account_id, count(o) AS opportunities, sum(coalesce(o.amount, 0.0)) AS amount
