"""Intelligence: ingest, turns, the worker, the outbox dispatcher. Imports `frontdesk.domain` only."""
