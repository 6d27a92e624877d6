// Append new engagements to their accounts' EngagementDays buckets (created when missing), and
// forget those accounts' digests: their buckets are no longer what the last recompute wrote.
UNWIND $rows AS r
MERGE (days:EngagementDays {account_id: r.account_id, bucket: r.bucket})
SET days.entries = coalesce(days.entries, '') + r.entries
WITH DISTINCT r.account_id AS id
MATCH (a:Account {id: id})
SET a.read_model_digest = null
