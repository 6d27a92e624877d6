// Leads by id with the account each is matched to, and how.
UNWIND $ids AS id
MATCH (l:Lead {id: id})
OPTIONAL MATCH (l)-[m:MATCHED_TO]->(a:Account)
RETURN l.id AS id, l.email AS email, l.first_name AS first_name, l.last_name AS last_name, l.company AS company,
       l.title AS title, l.status AS status, a.id AS account_id, m.method AS match_method,
       m.confidence AS match_confidence
