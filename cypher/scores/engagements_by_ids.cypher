// Stored engagements among $ids, as they are before an import overwrites them.
UNWIND $ids AS id
MATCH (e:Engagement {id: id})
MATCH (e)<-[:PERFORMED]-(p)
RETURN e.id AS id, p.id AS person_id, e.type AS type, e.detail AS detail, e.occurred_at.epochMillis AS at
