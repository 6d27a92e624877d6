// Upsert accounts by id; absent values leave stored ones alone.
UNWIND $rows AS r
MERGE (a:Account {id: r.id})
SET a += r.props
