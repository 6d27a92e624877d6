// Write EngagementDays buckets: per account and bucket, its engagements as JSON lines.
UNWIND $rows AS r
CREATE (:EngagementDays {account_id: r.account_id, bucket: r.bucket, entries: r.entries})
