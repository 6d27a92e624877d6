// Which of $ids are stored accounts.
UNWIND $ids AS id
MATCH (a:Account {id: id})
RETURN a.id AS id
