// Every stored version of one kind of document, newest first, with when it was saved (epoch milliseconds).
MATCH (d:ModelDocument {kind: $kind})
RETURN d.version AS version, d.active AS active, d.saved_at.epochMillis AS saved_at, d.body AS body
ORDER BY d.version DESC
