"""Pure domain rules shared by the daemon and the desktop: case forms, triage, phone numbers,
text folding. No database, no network, no Qt."""
