"""The link to FreeSWITCH: Event Socket protocol, inbound client, outbound server."""
