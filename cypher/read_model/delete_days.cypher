// Remove the EngagementDays buckets of the accounts in $ids (before they are written again).
UNWIND $ids AS id
MATCH (days:EngagementDays {account_id: id})
DETACH DELETE days
