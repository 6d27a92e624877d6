// What routing decides on, for each lead in $ids: the lead, its matched account, the account's owner,
// the owners of the account's ancestors with their distance (1 = parent), and the lead's open decision;
// and, in the same read, the documents in force as documents/active returns them (bodies only for those
// not in $known_documents), so routing needs no statement of its own for them.
OPTIONAL MATCH (doc:ModelDocument {active: true})
WITH doc, coalesce(doc.digest, doc.id + '@' + toString(doc.saved_at.epochMillis)) AS stamp
WITH collect(
       CASE WHEN doc IS NULL THEN null ELSE {
         kind: doc.kind, stamp: stamp,
         body: CASE WHEN doc.kind + ':' + stamp IN $known_documents THEN null ELSE doc.body END
       } END
     ) AS documents
UNWIND $ids AS id
MATCH (l:Lead {id: id})
OPTIONAL MATCH (l)-[m:MATCHED_TO]->(a:Account)
OPTIONAL MATCH (a)<-[:OWNS]-(owner:User)
OPTIONAL MATCH (open:RoutingDecision {status: 'PENDING'})-[:FOR]->(l)
OPTIONAL MATCH chain = (a)-[:SUBSIDIARY_OF*1..]->(ancestor:Account)<-[:OWNS]-(ancestor_owner:User)
RETURN l {.*} AS lead,
       a {.*} AS account,
       m.method AS match_method,
       m.confidence AS match_confidence,
       owner {.id, .name, .active} AS owner,
       open.id AS open_decision_id,
       documents,
       collect(
         CASE WHEN ancestor IS NULL THEN null ELSE {
           account_id: ancestor.id, account_name: ancestor.name, distance: length(chain) - 1,
           id: ancestor_owner.id, name: ancestor_owner.name, active: ancestor_owner.active
         } END
       ) AS ancestor_owners
