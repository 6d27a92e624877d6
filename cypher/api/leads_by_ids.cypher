// Leads by id with the account each is matched to, and how, in one record.
UNWIND $ids AS id
MATCH (l:Lead {id: id})
OPTIONAL MATCH (l)-[m:MATCHED_TO]->(a:Account)
RETURN collect({
  id: l.id, email: l.email, first_name: l.first_name, last_name: l.last_name, company: l.company, title: l.title,
  status: l.status, account_id: a.id, match_method: m.method, match_confidence: m.confidence
}) AS rows
