// How many accounts there are, and how many of them are target accounts.
MATCH (a:Account)
RETURN count(a) AS accounts, count(CASE WHEN a.is_target THEN 1 END) AS targets
