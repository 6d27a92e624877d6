// The configuration document in force for each kind, with its stamp (the digest of its body, or for a
// document saved before digests its id and save time). The body comes back only for a document
// whose kind:stamp is not in $known_documents (those the caller has parsed already).
MATCH (d:ModelDocument {active: true})
WITH d, coalesce(d.digest, d.id + '@' + toString(d.saved_at.epochMillis)) AS stamp
RETURN d.kind AS kind,
       stamp,
       CASE WHEN d.kind + ':' + stamp IN $known_documents THEN null ELSE d.body END AS body
