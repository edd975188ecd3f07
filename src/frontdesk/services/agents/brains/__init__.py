"""The brains that answer for one agent: the contract (`contract`), the fallback chain (`chain`), the
offline `local` brain and its dialogue pieces, and the `llm` brain's policy (its model is a port)."""
