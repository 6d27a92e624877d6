// Store a document version and make it the only active one of its kind; $digest (SHA-256 of $body)
// is the stamp readers compare with the documents they have parsed already. activated_at is when a
// version last came into force: stored figures computed before it are from other documents.
OPTIONAL MATCH (previous:ModelDocument {kind: $kind, active: true})
SET previous.active = false
WITH count(previous) AS replaced
MERGE (d:ModelDocument {id: $kind + ':' + toString($version)})
SET d.kind = $kind, d.version = $version, d.body = $body, d.digest = $digest, d.active = true,
    d.saved_at = datetime(), d.activated_at = datetime()
RETURN d.id AS id, replaced
