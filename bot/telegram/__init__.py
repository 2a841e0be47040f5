"""The Telegram side: command handlers and outbox delivery."""
