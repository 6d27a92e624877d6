// Replace accounts' own and rolled-up decayed sums (a corporate tree rescored at once).
UNWIND $rows AS r
MATCH (a:Account {id: r.id})
SET a.score_engagement_sum = r.engagement_sum, a.score_rolled_sum = r.rolled_sum
