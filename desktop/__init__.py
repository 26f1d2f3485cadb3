"""The PySide6 agent desktop: `desktop.app.main(argv)` runs it.

`connection` (HubConnection: the session with the daemon's hub) over `hub_link` (the
WebSocket: TLS pinning, keepalive, reconnects), `models` (Qt table models and time helpers),
`windows` (login and agent windows), `i18n` (Vietnamese by default, English), `forms` (case
forms from JSON Schema), `drafts` (local autosave)."""

# The protocol's models before any PySide6 module: pydantic loads lazily, and a pydantic
# half loaded when PySide6 installs its import hook cannot finish loading under it
# (ImportError in pydantic._internal._validators), which `import desktop.connection` as a
# program's first import did.
import protocol.messages  # noqa: F401
