"""The real channels: Telegram (python-telegram-bot) and SMS (Twilio)."""
