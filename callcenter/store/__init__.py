"""The daemon's writes: what the live state's effects mean for the database."""
