"""Channel adapters: turn a vendor's webhooks into domain events and domain messages into vendor calls."""
