// Every account's id and the digest of its EngagementDays buckets as last written (null: never).
MATCH (a:Account)
RETURN collect([a.id, a.read_model_digest]) AS digests
