// Give the graph a new data version ($token, random): run in every write transaction that changes
// data, so a reader that kept what it computed under the previous version knows it is gone.
MERGE (version:DataVersion {name: 'graph'})
SET version.token = $token
