// Record, per contact of $rows, the account its engagements are kept under ('' for none), as the
// recompute bucketed them; contacts already recording it are not written.
UNWIND $rows AS r
MATCH (person:Contact {id: r.id})
WHERE person.days_account IS NULL OR person.days_account <> r.account_id
SET person.days_account = r.account_id
