// The stage inputs of every account, or of the accounts in $ids: stored scores, target flag, own
// opportunities, and the stage the account is at now.
MATCH (a:Account)
WHERE $ids IS NULL OR a.id IN $ids
RETURN a.id AS id,
       a.stage AS stage,
       {
         windowed_engagement: a.score_windowed,
         rolled_windowed_engagement: a.score_rolled_windowed,
         engaged_coverage: a.score_engaged_coverage,
         coverage: a.score_coverage,
         engaged_contacts: a.score_engaged_contacts,
         fit: a.score_fit,
         is_target: CASE WHEN a.is_target THEN 1 ELSE 0 END,
         open_opportunities: COUNT { (a)-[:HAS_OPPORTUNITY]->(:Opportunity {status: 'OPEN'}) },
         won_opportunities: COUNT { (a)-[:HAS_OPPORTUNITY]->(:Opportunity {status: 'WON'}) }
       } AS inputs
