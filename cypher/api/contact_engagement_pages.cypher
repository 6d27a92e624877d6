// Per contact: one page of its engagements, newest first and equal times by id, after the seek
// position ($after_ms, $after_id) when $after_ms is given (times in epoch milliseconds), and how
// many it has in all; in one record.
UNWIND $ids AS id
MATCH (person:Contact {id: id})
CALL (person) {
  MATCH (person)-[:PERFORMED]->(e:Engagement)
  WITH person, e, e.occurred_at.epochMillis AS at
  WHERE $after_ms IS NULL OR at < $after_ms OR (at = $after_ms AND e.id > $after_id)
  WITH person, e, at ORDER BY at DESC, e.id LIMIT $limit
  RETURN collect({id: e.id, person_id: person.id, type: e.type, detail: e.detail, campaign: e.campaign, at: at}) AS page
}
WITH id, page, COUNT { (person)-[:PERFORMED]->(:Engagement) } AS total
RETURN collect({id: id, page: page, total: total}) AS rows
