// One stored document version, e.g. scoring:3.
MATCH (d:ModelDocument {id: $id})
RETURN d.body AS body, d.active AS active
