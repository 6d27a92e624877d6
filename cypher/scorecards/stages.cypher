// The accounts in $ids with their name, the stage they are at now and since when, and every
// stage change recorded for them (times in epoch milliseconds).
UNWIND $ids AS id
MATCH (a:Account {id: id})
OPTIONAL MATCH (a)-[:IN_STAGE]->(change:StageChange)
RETURN a.id AS account_id,
       a.name AS name,
       a.stage AS stage,
       a.stage_since.epochMillis AS stage_since,
       collect(CASE WHEN change IS NULL THEN null ELSE {stage: change.stage, at: change.at.epochMillis} END) AS changes
