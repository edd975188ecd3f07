"""Database adapter: tables, the Store (repositories and transactions), migrations."""
