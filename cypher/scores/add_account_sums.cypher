// Add new engagement points to accounts' own and rolled-up decayed sums; their score changed at $at.
UNWIND $rows AS r
MATCH (a:Account {id: r.id})
SET a.score_engagement_sum = coalesce(a.score_engagement_sum, 0.0) + r.own,
    a.score_rolled_sum = coalesce(a.score_rolled_sum, 0.0) + r.rolled,
    a.changed_at = datetime($at)
