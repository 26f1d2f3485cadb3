"""The PySide6 agent desktop: `desktop.app.main(argv)` runs it.

`connection` (HubConnection: the one link to the daemon's hub), `models` (Qt table models and
time helpers), `windows` (login and agent windows), `i18n` (Vietnamese by default, English),
`forms` (case forms from JSON Schema), `drafts` (local autosave)."""
