// Every node with its labels and properties: the input of a whole-graph checksum (crash and concurrency checks).
MATCH (n)
RETURN labels(n) AS labels, properties(n) AS properties
