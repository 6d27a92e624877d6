// The target accounts, narrowed by tier, owner and segment (industry) when those are given, with
// what the program scorecard reads of each at $as_of: the fields committee segments read; when
// the read model was last written for it and when the scoring model in force was activated (epoch
// milliseconds); of its contacts and matched leads, how many have their last positive engagement
// (last_engaged_at) in $since_ms..$until_ms, the latest such time, and how many keep their
// engagements under another account (days_account); the buying roles of its contacts, and of
// those engaged; its stored stage and stage history; the opportunities open at $as_of and their
// total amount.
OPTIONAL MATCH (document:ModelDocument {active: true, kind: 'scoring'})
WITH max(coalesce(document.activated_at.epochMillis, document.saved_at.epochMillis)) AS model_saved_at
MATCH (a:Account {is_target: true})
WHERE ($tier IS NULL OR a.tier = $tier)
  AND ($industry IS NULL OR toLower(a.industry) = $industry)
  AND ($owner_id IS NULL OR EXISTS { (:User {id: $owner_id})-[:OWNS]->(a) })
OPTIONAL MATCH (a)<-[:WORKS_AT|MATCHED_TO]-(person)
OPTIONAL MATCH (person)-[:HAS_ROLE]->(role:BuyingRole)
WITH model_saved_at, a, person, collect(role.id) AS roles
WITH model_saved_at, a, person, roles, person.last_engaged_at.epochMillis AS last_ms
WITH model_saved_at, a, person, roles, last_ms,
     coalesce(last_ms >= $since_ms AND last_ms <= $until_ms, false) AS engaged
WITH model_saved_at, a,
     max(last_ms) AS latest_engaged,
     min(CASE WHEN engaged THEN last_ms END) AS earliest_engaged,
     count(CASE WHEN engaged THEN 1 END) AS engaged_people,
     count(CASE WHEN person.days_account IS NOT NULL AND person.days_account <> a.id THEN 1 END) AS moved,
     collect(CASE WHEN person:Contact THEN roles END) AS known_roles,
     collect(CASE WHEN person:Contact AND engaged THEN roles END) AS engaged_roles
OPTIONAL MATCH (a)-[:IN_STAGE]->(change:StageChange)
WITH model_saved_at, a, latest_engaged, earliest_engaged, engaged_people, moved, known_roles, engaged_roles,
     collect(CASE WHEN change IS NULL THEN null ELSE {stage: change.stage, at: change.at.epochMillis} END) AS changes
WITH model_saved_at, a, latest_engaged, earliest_engaged, engaged_people, moved, known_roles, engaged_roles, changes,
     COUNT {
       (a)-[:HAS_OPPORTUNITY]->(later:Opportunity)
       WHERE later.created_at > datetime($as_of) OR later.closed_at > datetime($as_of)
     } > 0 AS later_opportunities
OPTIONAL MATCH (a)-[:HAS_OPPORTUNITY]->(o:Opportunity)
WHERE (o.created_at IS NULL OR o.created_at <= datetime($as_of))
  AND (o.status = 'OPEN' OR o.closed_at > datetime($as_of))
RETURN a.id AS account_id,
       a.name AS name,
       a.stage AS stage,
       a.stage_since.epochMillis AS stage_since,
       changes,
       a {.id, .name, .industry, .employees, .annual_revenue, .country, .technologies, .is_target, .tier} AS account,
       a.read_model_at AS written_at,
       model_saved_at,
       latest_engaged,
       earliest_engaged,
       later_opportunities,
       engaged_people,
       moved,
       known_roles,
       engaged_roles,
       count(o) AS opportunities,
       sum(coalesce(o.amount, 0.0)) AS amount
