"""The team around the brains: the supervisor's routing, the responder that runs and merges the agents'
answers, the conversation's stored state, one responder per tenant, and the dry run's business data."""
