// Every lead's stored account match: [lead id, account id, method, confidence].
MATCH (l:Lead)-[m:MATCHED_TO]->(a:Account)
RETURN collect([l.id, a.id, m.method, m.confidence]) AS matches
