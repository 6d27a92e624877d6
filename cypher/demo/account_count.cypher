// How many accounts the graph holds (0 means an empty database).
MATCH (a:Account)
RETURN count(a) AS accounts
