"""The FreeSWITCH configuration of the hotline: rendering it from the topics and the site's
settings, installing it into a switch's tree, checking it, and its prompts."""
