// Accounts by id, as property maps.
UNWIND $ids AS id
MATCH (a:Account {id: id})
RETURN a {.*} AS account
