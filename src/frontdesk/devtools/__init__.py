"""Developer tools that are not part of serving customers.

Fakes of outside systems (e.g. `fake_graph`, a local WhatsApp Cloud API) that tests and developers run
instead of the real thing. They speak the vendor's wire protocol over real HTTP and import nothing of
Frontdesk's services or adapters, so they stay a faithful, independent stand-in.
"""
