// The accounts in $ids with their name, the stage they are at now and since when, every stage
// change recorded for them (times in epoch milliseconds), and the opportunities open at $as_of
// (created by then, not closed by then) with their total amount.
UNWIND $ids AS id
MATCH (a:Account {id: id})
OPTIONAL MATCH (a)-[:IN_STAGE]->(change:StageChange)
WITH a, collect(CASE WHEN change IS NULL THEN null ELSE {stage: change.stage, at: change.at.epochMillis} END) AS changes
OPTIONAL MATCH (a)-[:HAS_OPPORTUNITY]->(o:Opportunity)
WHERE (o.created_at IS NULL OR o.created_at <= datetime($as_of))
  AND (o.status = 'OPEN' OR o.closed_at > datetime($as_of))
RETURN a.id AS account_id,
       a.name AS name,
       a.stage AS stage,
       a.stage_since.epochMillis AS stage_since,
       changes,
       count(o) AS opportunities,
       sum(coalesce(o.amount, 0.0)) AS amount
