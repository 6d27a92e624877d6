// Every account of the corporate tree of account $id, touched so that concurrent writes to their
// score sums wait for this transaction; with the id of the tree's top.
MATCH (a:Account {id: $id})-[:SUBSIDIARY_OF*0..]->(top:Account)
WHERE NOT EXISTS { (top)-[:SUBSIDIARY_OF]->(:Account) }
MATCH (top)<-[:SUBSIDIARY_OF*0..]-(member:Account)
SET member.score_rolled_sum = coalesce(member.score_rolled_sum, 0.0)
RETURN top.id AS top_id, member.id AS id
