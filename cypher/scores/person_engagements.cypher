// Contacts or leads in $ids with their account and every engagement (times in epoch milliseconds).
UNWIND $ids AS id
OPTIONAL MATCH (c:Contact {id: id})
OPTIONAL MATCH (l:Lead {id: id})
WITH id, coalesce(c, l) AS person
WHERE person IS NOT NULL
OPTIONAL MATCH (person)-[:WORKS_AT|MATCHED_TO]->(a:Account)
OPTIONAL MATCH (person)-[:PERFORMED]->(e:Engagement)
RETURN id, person {.*} AS person, a {.*} AS account,
       collect({type: e.type, detail: e.detail, at: e.occurred_at.epochMillis}) AS engagements
