"""WhatsApp Cloud API (Meta Graph API) channel: `webhook` verifies and parses inbound webhooks."""
