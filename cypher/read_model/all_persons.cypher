// Every contact and matched lead with its account, as aligned columns: id, account id, whether it
// is a contact, and the account its engagements are kept under (its own account when none is
// recorded yet). Starts from the accounts: persons are found through their relationships.
MATCH (a:Account)<-[:WORKS_AT|MATCHED_TO]-(person)
RETURN collect(person.id) AS ids,
       collect(a.id) AS accounts,
       collect(person:Contact) AS contacts,
       collect(coalesce(person.days_account, a.id)) AS kept
