// Stamp the read model of the accounts in $ids as written at $at (epoch milliseconds).
UNWIND $ids AS id
MATCH (a:Account {id: id})
SET a.read_model_at = $at
