"""Agents and tiers: mod_callcenter kept equal to the database."""
