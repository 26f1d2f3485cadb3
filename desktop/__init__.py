"""The PySide6 agent desktop: `desktop.app.main(argv)` runs it.

`connection` (HubConnection: the session with the daemon's hub) over `hub_link` (the
WebSocket: TLS pinning, keepalive, reconnects), `models` (Qt table models and time helpers),
`windows` (login and agent windows), `i18n` (Vietnamese by default, English), `forms` (case
forms from JSON Schema), `drafts` (local autosave)."""
