"""WhatsApp through the Cloud API: words in (webhook), WhatsApp markup out (render), the sender."""
