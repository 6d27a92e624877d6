CREATE CONSTRAINT lead_status_change_id IF NOT EXISTS FOR (n:LeadStatusChange) REQUIRE n.id IS UNIQUE
