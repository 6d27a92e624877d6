// Add new engagement points to accounts' own and rolled-up decayed sums; a sum that moves is a change
// of the account at $at (an engagement imported again as it was moves nothing).
UNWIND $rows AS r
MATCH (a:Account {id: r.id})
WITH a, coalesce(a.score_engagement_sum, 0.0) + r.own AS own, coalesce(a.score_rolled_sum, 0.0) + r.rolled AS rolled
SET a.changed_at = CASE
        WHEN own = coalesce(a.score_engagement_sum, 0.0) AND rolled = coalesce(a.score_rolled_sum, 0.0)
            THEN a.changed_at
        ELSE datetime($at)
    END,
    a.score_engagement_sum = own,
    a.score_rolled_sum = rolled
