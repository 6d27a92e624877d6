// When the read model was last written for each account (epoch milliseconds, -1 for never or
// stale), as aligned columns, and when the scoring model in force was activated.
OPTIONAL MATCH (document:ModelDocument {active: true, kind: 'scoring'})
WITH max(coalesce(document.activated_at.epochMillis, document.saved_at.epochMillis)) AS model_saved_at
MATCH (a:Account)
RETURN model_saved_at, collect(a.id) AS ids, collect(coalesce(a.read_model_at, -1)) AS written
