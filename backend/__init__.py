"""Backend service (system of record) of the Slovene customer-support assistant."""
