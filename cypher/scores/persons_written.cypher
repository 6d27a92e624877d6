// The scores a recompute wrote on every contact and lead.
MATCH (person)
WHERE person:Contact OR person:Lead
RETURN person {.id, .score_total, .score_demographic, .score_behavioral, .score_fit, .score_completeness,
               .score_interest, .score_grade, .score_objectives, .score_disqualified, .score_decay_sum,
               .last_engaged_at, .scored_at} AS person
