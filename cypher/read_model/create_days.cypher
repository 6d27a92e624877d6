// Write EngagementDays buckets: per account and bucket, its engagements as parallel lists.
UNWIND $rows AS r
CREATE (:EngagementDays {account_id: r.account_id, bucket: r.bucket, persons: r.persons, times: r.times, points: r.points})
