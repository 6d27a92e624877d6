// Test only: values another tool could store, written past the importer's validation.
MATCH (jo:Contact {id: 'c-jo'}), (sam:Lead {id: 'l-sam'}), (acme:Account {id: 'acme'}), (ann:User {id: 'u-ann'})
MERGE (e:Engagement {id: 'e-odd'})
SET e.person_id = 'c-jo', e.type = 'web_visit', e.occurred_at = datetime($occurred_at)
MERGE (jo)-[:PERFORMED]->(e)
SET jo.last_engaged_at = datetime($last_engaged_at),
    sam.created_at = datetime($created_at),
    acme.employees = $employees,
    acme.tier = $tier,
    acme.annual_revenue = $annual_revenue,
    acme.is_target = $is_target,
    ann.capacity = $capacity
