"""The agent team: `tools` (and `tool_helpers`), the local brain's `nlu`, the `brains`, and the `team`
around them (supervisor, responder). README.md in this folder says what lives where.

Imports `frontdesk.domain` and other services, never a framework or an adapter: the business's data
arrives through the `BusinessData`, `MessageSearch` and knowledge-search ports in each tool call's
`ToolContext`, and a language model through the `LanguageModel` port.
"""
