// Put a stored version ($id, e.g. scoring:2) in force in place of its kind's active one; no row
// when there is no such version.
MATCH (chosen:ModelDocument {id: $id})
OPTIONAL MATCH (previous:ModelDocument {kind: chosen.kind, active: true})
WHERE previous.id <> chosen.id
SET previous.active = false
WITH DISTINCT chosen
SET chosen.active = true, chosen.activated_at = datetime()
RETURN chosen.version AS version, chosen.active AS active, chosen.saved_at.epochMillis AS saved_at, chosen.body AS body
