// The scores a recompute wrote on every account.
MATCH (a:Account)
RETURN a {.id, .score_engagement, .score_rolled_up, .score_fit, .score_total, .score_coverage,
          .score_engaged_coverage, .score_engaged_contacts} AS account
