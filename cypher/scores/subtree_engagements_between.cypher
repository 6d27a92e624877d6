// The engagements of the contacts and matched leads of the accounts in $ids with
// $since_ms < occurred_at <= $until_ms (times in epoch milliseconds).
UNWIND $ids AS id
MATCH (a:Account {id: id})<-[:WORKS_AT|MATCHED_TO]-(person)-[:PERFORMED]->(e:Engagement)
WITH person, e, e.occurred_at.epochMillis AS at
WHERE at > $since_ms AND at <= $until_ms
RETURN person.id AS person_id, e.type AS type, e.detail AS detail, at
