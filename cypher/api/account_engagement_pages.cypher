// Per account: one page of the engagements of the people at it (its contacts and matched leads),
// newest first and equal times by id, after the seek position ($after_ms, $after_id) when $after_ms
// is given, only those with $since_ms < occurred_at <= $until_ms when $since_ms is given (times in
// epoch milliseconds), and how many there are in all; in one record.
UNWIND $ids AS id
MATCH (a:Account {id: id})
CALL (a) {
  MATCH (a)<-[:WORKS_AT|MATCHED_TO]-(person)-[:PERFORMED]->(e:Engagement)
  WITH person, e, e.occurred_at.epochMillis AS at
  WHERE ($since_ms IS NULL OR (at > $since_ms AND at <= $until_ms))
    AND ($after_ms IS NULL OR at < $after_ms OR (at = $after_ms AND e.id > $after_id))
  WITH person, e, at ORDER BY at DESC, e.id LIMIT $limit
  RETURN collect({id: e.id, person_id: person.id, type: e.type, detail: e.detail, campaign: e.campaign, at: at}) AS page
}
WITH id, page,
     COUNT {
       MATCH (a)<-[:WORKS_AT|MATCHED_TO]-()-[:PERFORMED]->(other:Engagement)
       WHERE $since_ms IS NULL
          OR (other.occurred_at.epochMillis > $since_ms AND other.occurred_at.epochMillis <= $until_ms)
     } AS total
RETURN collect({id: id, page: page, total: total}) AS rows
