// Upsert contacts by id.
UNWIND $rows AS r
MERGE (c:Contact {id: r.id})
SET c += r.props
