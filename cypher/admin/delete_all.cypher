// Remove every node and relationship (graphsvc db reset, and tests between cases).
MATCH (n)
DETACH DELETE n
