// Every EngagementDays bucket $first_bucket..$last_bucket as aligned columns: its account and its
// entries (JSON lines).
MATCH (days:EngagementDays)
WHERE days.bucket >= $first_bucket AND days.bucket <= $last_bucket
RETURN collect(days.account_id) AS accounts, collect(days.entries) AS entries
