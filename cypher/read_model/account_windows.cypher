// The accounts in $ids, each with every account of its subtree (distance 0 for itself): the fields
// committee segments read, when the read model was last written for it and when the scoring model
// in force was activated (epoch milliseconds), its contacts and matched leads ([id, is contact, roles,
// the account their engagements are kept under]) and its EngagementDays buckets
// $first_bucket..$last_bucket (their entries, JSON lines).
OPTIONAL MATCH (document:ModelDocument {active: true, kind: 'scoring'})
WITH max(coalesce(document.activated_at.epochMillis, document.saved_at.epochMillis)) AS model_saved_at
UNWIND $ids AS id
MATCH chain = (:Account {id: id})<-[:SUBSIDIARY_OF*0..]-(a:Account)
WITH model_saved_at, id, a, length(chain) AS distance
OPTIONAL MATCH (a)<-[:WORKS_AT|MATCHED_TO]-(person)
OPTIONAL MATCH (person)-[:HAS_ROLE]->(role:BuyingRole)
WITH model_saved_at, id, a, distance, person, collect(role.id) AS roles
WITH model_saved_at, id, a, distance,
     collect(CASE WHEN person IS NULL THEN null ELSE [person.id, person:Contact, roles, person.days_account] END) AS persons
OPTIONAL MATCH (days:EngagementDays {account_id: a.id})
WHERE days.bucket >= $first_bucket AND days.bucket <= $last_bucket
RETURN id AS top_id,
       distance,
       a {.id, .name, .industry, .employees, .annual_revenue, .country, .technologies, .is_target, .tier} AS account,
       a.read_model_at AS written_at,
       model_saved_at,
       persons,
       collect(days.entries) AS buckets
