"""The json_cdr.conf.xml the hotline installs: mod_json_cdr writes where the daemon imports from,
one plain-JSON file per call (the parameters as mod_json_cdr.c's mod_json_cdr_load reads them)."""

from __future__ import annotations

from pathlib import Path
from xml.etree import ElementTree

from callcenter.config import Settings
from callcenter.switchconf.render import render_site


def test_mod_json_cdr_writes_into_the_daemons_spool(tmp_path: Path) -> None:
    settings = Settings(switch={"password": "not-the-stock-one"},
                        cdr={"spool_dir": "/srv/hotline & co/cdr"})
    files, _ = render_site(settings)
    root = ElementTree.fromstring(files["autoload_configs/json_cdr.conf.xml"])
    assert root.tag == "configuration" and root.get("name") == "json_cdr.conf"
    params = {p.get("name"): p.get("value") for p in root.iter("param")}
    assert params == {"log-dir": "/srv/hotline & co/cdr", "rotate": "false",
                      "log-b-leg": "false", "prefix-a-leg": "false", "encode-values": "false"}
    assert Settings(switch={"password": "x"}).cdr.spool_dir == Path("/var/spool/hotline1022/cdr")
