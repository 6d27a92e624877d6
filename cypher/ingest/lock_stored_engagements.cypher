// Lock the stored engagements among $ids and return them as they are before an import overwrites them.
// The right-hand side reads the property, so Neo4j takes the write lock before reading: the values
// returned are the committed ones even when another import updates the same engagements; ArcadeDB
// sees a change to the same record and retries one of the two transactions.
UNWIND $ids AS id
MATCH (e:Engagement {id: id})
SET e.person_id = e.person_id
RETURN e.id AS id, e.person_id AS person_id, e.type AS type, e.detail AS detail, e.occurred_at.epochMillis AS at
