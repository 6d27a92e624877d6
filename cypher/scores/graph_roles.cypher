// Every buying role a contact or lead holds: [person id, role, source] (source 'inferred' for roles from titles).
// Starts from the few BuyingRole nodes: a scan of every node to find role holders would be far slower.
MATCH (role:BuyingRole)<-[held:HAS_ROLE]-(person)
WHERE person:Contact OR person:Lead
RETURN collect([person.id, role.id, held.source]) AS roles
