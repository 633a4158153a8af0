"""Language understanding: intents and entities in Welsh and English."""
