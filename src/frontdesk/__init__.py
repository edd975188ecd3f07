"""Frontdesk: teams of AI agents behind a business's WhatsApp numbers."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("frontdesk")
except PackageNotFoundError:  # running from a source tree that was not installed
    __version__ = "0.0.0"
