"""The WhatsApp-Web bridge (zapw): QR-linked numbers driven through a zapw server's REST API and webhook."""
