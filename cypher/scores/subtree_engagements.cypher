// The engagements of the contacts and matched leads of the accounts in $ids (times in epoch milliseconds).
UNWIND $ids AS id
MATCH (a:Account {id: id})<-[:WORKS_AT|MATCHED_TO]-(person)-[:PERFORMED]->(e:Engagement)
RETURN person.id AS person_id, e.type AS type, e.detail AS detail, e.occurred_at.epochMillis AS at
