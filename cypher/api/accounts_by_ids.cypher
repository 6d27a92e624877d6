// Accounts by id with their owner's and parent's ids (the API's account records).
UNWIND $ids AS id
MATCH (a:Account {id: id})
OPTIONAL MATCH (owner:User)-[:OWNS]->(a)
OPTIONAL MATCH (a)-[:SUBSIDIARY_OF]->(parent:Account)
RETURN a.id AS id, a.name AS name, a.domain AS domain, a.industry AS industry, a.employees AS employees,
       a.annual_revenue AS annual_revenue, a.country AS country, a.is_target AS is_target, a.tier AS tier,
       a.stage AS stage, owner.id AS owner_id, parent.id AS parent_id
