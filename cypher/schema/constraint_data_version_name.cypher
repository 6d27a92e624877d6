CREATE CONSTRAINT data_version_name IF NOT EXISTS FOR (n:DataVersion) REQUIRE n.name IS UNIQUE
