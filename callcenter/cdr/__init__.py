"""FreeSWITCH's CDRs (mod_json_cdr): the calls the daemon did not see, imported by uuid."""
