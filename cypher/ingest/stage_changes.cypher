// Upsert past stage changes by id, each IN_STAGE of its account (moved when the account changed).
// A change is an event replaced as a whole: a blank stage or previous removes the stored one.
UNWIND $rows AS r
MATCH (a:Account {id: r.account_id})
MERGE (c:StageChange {id: r.id})
SET c.stage = r.props.stage, c.previous = r.props.previous, c.at = datetime(r.at)
WITH a, c
OPTIONAL MATCH (other:Account)-[old:IN_STAGE]->(c)
WHERE other.id <> a.id
DELETE old
MERGE (a)-[:IN_STAGE]->(c)
