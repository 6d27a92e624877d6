// The graph's data version: a random token every data-changing write transaction replaces (null
// before the first such write).
OPTIONAL MATCH (version:DataVersion {name: 'graph'})
RETURN version.token AS token
