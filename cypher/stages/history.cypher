// An account's stage changes, oldest first (times in epoch milliseconds).
MATCH (a:Account {id: $account_id})-[:IN_STAGE]->(c:StageChange)
RETURN c.id AS id, c.stage AS stage, c.previous AS previous, c.at.epochMillis AS at
ORDER BY c.at, c.id
