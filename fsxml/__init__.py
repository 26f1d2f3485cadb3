"""FreeSWITCH's XML, as FreeSWITCH reads it: the configuration tree and its pre-processor
(`$${globals}`, includes, fragments), the XML dialplan's hunt and variable expansion, regexes
matched with PCRE2 as switch_regex.c does. One model for the simulator (which routes calls
with it) and the switch_conf checker (which validates the operator's tree with it)."""
