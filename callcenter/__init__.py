"""Hotline 1022 call-center daemon."""
