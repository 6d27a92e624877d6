// Record, per person, the account its engagements are kept under ('' for none); with $keep, a
// value already recorded stays (a person that moved keeps pointing at its old account). Persons
// already recording it are not written.
UNWIND $rows AS r
OPTIONAL MATCH (c:Contact {id: r.id})
OPTIONAL MATCH (l:Lead {id: r.id})
WITH r, coalesce(c, l) AS person
WHERE person IS NOT NULL
  AND (person.days_account IS NULL OR (NOT $keep AND person.days_account <> r.account_id))
SET person.days_account = r.account_id
