"""The desktop hub: WebSocket over TLS between the daemon and the agent desktops."""
