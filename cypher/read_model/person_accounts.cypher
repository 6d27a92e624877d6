// Record, per person of $rows (contact or lead), the account its engagements are kept under ('' for
// none) when none is recorded yet: a person that moved keeps pointing at its old account, which
// makes both accounts stale at read until the next recompute.
UNWIND $rows AS r
OPTIONAL MATCH (c:Contact {id: r.id})
OPTIONAL MATCH (l:Lead {id: r.id})
WITH r, coalesce(c, l) AS person
WHERE person IS NOT NULL AND person.days_account IS NULL
SET person.days_account = r.account_id
