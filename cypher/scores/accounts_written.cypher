// The scores a recompute wrote on every account, with the decayed sums and coverage figures that writes keep exact.
MATCH (a:Account)
RETURN a {.id, .score_engagement, .score_rolled_up, .score_fit, .score_total, .score_coverage,
          .score_engaged_coverage, .score_engaged_contacts, .score_engagement_sum, .score_rolled_sum,
          .score_known_roles, .score_committee} AS account
