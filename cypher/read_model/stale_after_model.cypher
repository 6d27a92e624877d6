// Mark the read model of the accounts in $ids stale when the scoring model in force was activated after
// $since (epoch milliseconds): points just appended to their buckets came from the model before it.
OPTIONAL MATCH (document:ModelDocument {active: true, kind: 'scoring'})
WITH max(coalesce(document.activated_at.epochMillis, document.saved_at.epochMillis)) AS saved
WHERE saved > $since
UNWIND $ids AS id
MATCH (a:Account {id: id})
SET a.read_model_at = null, a.read_model_digest = null
