// Every node with its labels and properties: the input of a whole-graph checksum (crash and concurrency checks).
// The data version's node is left out: its token is new after every write, whatever it wrote.
MATCH (n)
WHERE NOT n:DataVersion
RETURN labels(n) AS labels, properties(n) AS properties
