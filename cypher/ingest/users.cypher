// Upsert users (sales and marketing people) by id.
UNWIND $rows AS r
MERGE (u:User {id: r.id})
SET u += r.props
