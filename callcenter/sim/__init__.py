"""Switch simulator: an ESL server that behaves like FreeSWITCH 1.10 with mod_callcenter."""
