// Give the graph a data version ($token) when it has none yet (a database written before data
// versions were kept); an existing one stays.
MERGE (version:DataVersion {name: 'graph'})
ON CREATE SET version.token = $token
