"""The agent team: tools now (`frontdesk.services.agents.tools`); the supervisor and brains build on them.

Imports `frontdesk.domain` only: the business's data arrives through the `BusinessData`,
`MessageSearch` and knowledge-search ports in each tool call's `ToolContext`.
"""
