// Stored engagements among $ids, as they are before an import overwrites them.
UNWIND $ids AS id
MATCH (e:Engagement {id: id})
RETURN e.id AS id, e.person_id AS person_id, e.type AS type, e.detail AS detail, e.occurred_at.epochMillis AS at
