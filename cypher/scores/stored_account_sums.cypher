// The accounts in $ids with the fields the ICP model reads, their stored decayed sums, when the
// recompute last scored them, and when the scoring or role-rules document in force was activated
// (epoch milliseconds): sums scored before that were computed under another model.
OPTIONAL MATCH (d:ModelDocument {active: true})
WHERE d.kind IN ['scoring', 'roles']
WITH max(coalesce(d.activated_at.epochMillis, d.saved_at.epochMillis)) AS models_saved_at
UNWIND $ids AS id
MATCH (a:Account {id: id})
RETURN a {.id, .name, .industry, .employees, .annual_revenue, .country, .technologies, .is_target, .tier} AS account,
       a.score_engagement_sum AS engagement_sum,
       a.score_rolled_sum AS rolled_sum,
       a.scored_at.epochMillis AS scored_at,
       models_saved_at
