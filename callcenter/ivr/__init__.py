"""The daemon's IVR: one greenlet per call, over FreeSWITCH's outbound socket."""
