"""Data model, migrations and domain rules of the data layer."""
