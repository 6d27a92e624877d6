// Append new engagements to their accounts' EngagementDays buckets (created when missing).
UNWIND $rows AS r
MERGE (days:EngagementDays {account_id: r.account_id, bucket: r.bucket})
SET days.persons = coalesce(days.persons, []) + r.persons,
    days.times = coalesce(days.times, []) + r.times,
    days.points = coalesce(days.points, []) + r.points
