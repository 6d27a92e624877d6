// Accounts by id with their owner's and parent's ids (the API's account records), in one record.
UNWIND $ids AS id
MATCH (a:Account {id: id})
OPTIONAL MATCH (owner:User)-[:OWNS]->(a)
OPTIONAL MATCH (a)-[:SUBSIDIARY_OF]->(parent:Account)
RETURN collect({
  id: a.id, name: a.name, domain: a.domain, industry: a.industry, employees: a.employees,
  annual_revenue: a.annual_revenue, country: a.country, is_target: a.is_target, tier: a.tier, stage: a.stage,
  owner_id: owner.id, parent_id: parent.id
}) AS rows
