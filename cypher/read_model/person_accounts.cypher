// Record, per person, the account its engagements are kept under ('' for none); with $keep, a
// value already recorded stays (a person that moved keeps pointing at its old account).
UNWIND $rows AS r
OPTIONAL MATCH (c:Contact {id: r.id})
OPTIONAL MATCH (l:Lead {id: r.id})
WITH r, coalesce(c, l) AS person
WHERE person IS NOT NULL
SET person.days_account = CASE WHEN $keep AND person.days_account IS NOT NULL THEN person.days_account ELSE r.account_id END
