"""Vigía: watches the news about Venezuela and serves it through a Telegram bot."""
