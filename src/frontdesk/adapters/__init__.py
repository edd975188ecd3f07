"""Plumbing out: channels, LLM providers, database, queue, storage, cache.

Adapters implement the domain's ports and import the domain only, never services or the API.
"""
