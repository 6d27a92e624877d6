CREATE CONSTRAINT model_document_id IF NOT EXISTS FOR (n:ModelDocument) REQUIRE n.id IS UNIQUE
