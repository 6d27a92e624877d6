// The read model of the accounts in $ids no longer holds: read them live until the next recompute
// rewrites their buckets.
UNWIND $ids AS id
MATCH (a:Account {id: id})
SET a.read_model_at = null, a.read_model_digest = null
