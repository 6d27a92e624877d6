// Lock stored engagements among $ids before an import reads them for an update. The right-hand side reads
// the property, so Neo4j takes the write lock before reading; ArcadeDB sees a change to the same record.
UNWIND $ids AS id
MATCH (e:Engagement {id: id})
SET e.person_id = e.person_id
