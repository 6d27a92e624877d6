// The configuration document in force for each kind.
MATCH (d:ModelDocument {active: true})
RETURN d.kind AS kind, d.version AS version, d.body AS body
