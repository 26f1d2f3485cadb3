"""PySide6 agent desktop (built in a later issue)."""
