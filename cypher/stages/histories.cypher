// The stage changes of each account in $ids, oldest first (times in epoch milliseconds).
UNWIND $ids AS id
MATCH (a:Account {id: id})-[:IN_STAGE]->(c:StageChange)
WITH id, c
ORDER BY c.at, c.id
RETURN id, collect({id: c.id, stage: c.stage, previous: c.previous, at: c.at.epochMillis}) AS changes
