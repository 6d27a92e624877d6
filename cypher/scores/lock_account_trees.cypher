// Every account of the corporate trees of the accounts in $ids, touched so that concurrent writes to
// their score sums wait for this transaction; with the id of each tree's top.
UNWIND $ids AS id
MATCH (a:Account {id: id})-[:SUBSIDIARY_OF*0..]->(top:Account)
WHERE NOT EXISTS { (top)-[:SUBSIDIARY_OF]->(:Account) }
WITH DISTINCT top
MATCH (top)<-[:SUBSIDIARY_OF*0..]-(member:Account)
SET member.score_rolled_sum = coalesce(member.score_rolled_sum, 0.0)
RETURN top.id AS top_id, member.id AS id
