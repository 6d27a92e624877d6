// Contacts or leads in $ids with the values of the properties named in $fields, on the person and on
// its account (null without one), and every engagement (times in epoch milliseconds). Only the
// fields scoring reads: stored times the driver would decode for nothing stay on the server.
UNWIND $ids AS id
OPTIONAL MATCH (c:Contact {id: id})
OPTIONAL MATCH (l:Lead {id: id})
WITH id, coalesce(c, l) AS person
WHERE person IS NOT NULL
OPTIONAL MATCH (person)-[:WORKS_AT|MATCHED_TO]->(a:Account)
OPTIONAL MATCH (person)-[:PERFORMED]->(e:Engagement)
RETURN id, [field IN $fields | person[field]] AS person,
       CASE WHEN a IS NULL THEN null ELSE [field IN $fields | a[field]] END AS account,
       collect({type: e.type, detail: e.detail, at: e.occurred_at.epochMillis}) AS engagements
