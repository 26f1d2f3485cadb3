"""A FreeSWITCH configuration tree as the operator has it before installing the hotline.

`stock_tree`: the public/default dialplans and vars of the capture box (callcenter/sim/conf, what
the simulator's tests run), and the real autoload files of conf/vanilla that the installer edits
or replaces (modules.conf.xml, event_socket.conf.xml, callcenter.conf.xml, local_stream.conf.xml).
`vanilla_tree`: every real conf/vanilla file kept in callcenter/sim/stock/<version>/ (see its
SOURCE.md: the commits they come from), for the checker's test on a stock tree.
Both with the one edit of vars.xml the README asks of the operator, unless `domain` is None:
the switch's domain is the hotline's `[site] domain`."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from callcenter.sim.runner import DEFAULT_CONF

STOCK = Path(__file__).with_name("stock")
VERSIONS = ("v1.10.12", "master")  # folders of STOCK; the first is the default
# conf/vanilla/autoload_configs files the installer and the checker read.
AUTOLOAD = ("modules.conf.xml", "event_socket.conf.xml", "callcenter.conf.xml",
            "local_stream.conf.xml")


SITE_DOMAIN = "hotline1022"  # [site] domain's default
_DOMAIN = re.compile(r'(<X-PRE-PROCESS cmd="set" data="domain=)[^"]*(")')


def set_switch_domain(conf: Path, domain: str) -> None:
    """The operator's edit: `<X-PRE-PROCESS cmd="set" data="domain=…"/>` in vars.xml."""
    path = conf / "vars.xml"
    text, count = _DOMAIN.subn(lambda m: m.group(1) + domain + m.group(2),
                               path.read_text(encoding="utf-8"), count=1)
    if not count:
        raise ValueError(f"{path}: no domain=… line")
    path.write_text(text, encoding="utf-8")


def stock_tree(root: Path, version: str = VERSIONS[0],
               domain: str | None = SITE_DOMAIN) -> Path:
    conf = root / "freeswitch"
    (conf / "dialplan" / "public").mkdir(parents=True)
    (conf / "autoload_configs").mkdir()
    (conf / "ivr_menus").mkdir()
    shutil.copy(DEFAULT_CONF / "vars.xml", conf / "vars.xml")
    for name in ("public.xml", "default.xml", "public/00_inbound_did.xml"):
        shutil.copy(DEFAULT_CONF / "dialplan" / name, conf / "dialplan" / name)
    for name in AUTOLOAD:
        shutil.copy(STOCK / version / "autoload_configs" / name,
                    conf / "autoload_configs" / name)
    if domain is not None:
        set_switch_domain(conf, domain)
    return conf


def vanilla_tree(root: Path, version: str = VERSIONS[0],
                 domain: str | None = SITE_DOMAIN) -> Path:
    conf = root / "freeswitch"
    shutil.copytree(STOCK / version, conf)
    if domain is not None:
        set_switch_domain(conf, domain)
    return conf
