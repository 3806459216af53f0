"""The Telegram adapter: python-telegram-bot on the shared core (`routix telegram`)."""
