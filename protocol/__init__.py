"""The desktop ↔ hub protocol: its messages and error codes, shared by both sides (the desktop
installs this package and `rules`, not the daemon's)."""
