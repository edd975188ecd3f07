"""Plain models, enums, errors and ports (Protocols). Imports nothing else of Frontdesk's."""
