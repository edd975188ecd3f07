"""AWS End User Messaging Social: SNS deliveries in (`sns`), SendWhatsAppMessage and media out (`client`)."""
