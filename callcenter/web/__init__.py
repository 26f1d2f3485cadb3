"""The public declaration form and the portal API (`callcenter web`)."""
