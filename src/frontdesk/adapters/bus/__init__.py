"""The bus's adapters (`frontdesk.domain.bus.Bus`): in-process, Redis pub/sub, PostgreSQL LISTEN/NOTIFY."""
