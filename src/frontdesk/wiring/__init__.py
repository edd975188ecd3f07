"""The composition root: the running product (`Frontdesk`) built from settings, one module per area."""

from frontdesk.wiring.container import Frontdesk, Overrides, load_responder

__all__ = ["Frontdesk", "Overrides", "load_responder"]
