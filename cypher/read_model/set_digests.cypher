// Record the digest of the buckets just written for each account of $rows, and stamp it at $at
// (epoch milliseconds).
UNWIND $rows AS r
MATCH (a:Account {id: r.id})
SET a.read_model_digest = r.digest, a.read_model_at = $at
