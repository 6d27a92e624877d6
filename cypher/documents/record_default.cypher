// Record the shipped default of a kind as the version it carries, unless that version is stored. It
// is in force when no version of the kind is, and then has been since the start ($since): stored
// figures need no recompute for it.
OPTIONAL MATCH (in_force:ModelDocument {kind: $kind, active: true})
WITH count(in_force) = 0 AS in_force_now
MERGE (d:ModelDocument {id: $kind + ':' + toString($version)})
ON CREATE SET d.kind = $kind, d.version = $version, d.body = $body, d.digest = $digest,
              d.active = in_force_now, d.saved_at = datetime(),
              d.activated_at = CASE WHEN in_force_now THEN datetime($since) ELSE null END
RETURN d.id AS id
