"""One module per area of the HTTP API."""
