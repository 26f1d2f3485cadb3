"""Reading a FreeSWITCH configuration tree the way FreeSWITCH's pre-processor meets it: vars.xml
first, then autoload_configs/*.xml in name order, so that `$${…}` set there is known."""

from __future__ import annotations

import re
from pathlib import Path

_GLOBAL = re.compile(r"\$\$\{([^}]+)\}")
_SET = re.compile(r'<X-PRE-PROCESS\s+cmd="set"\s+data="([^"=]+)=([^"]*)"')


def tree_globals(conf_dir: Path, initial: dict[str, str] | None = None) -> dict[str, str]:
    """The $${…} globals, as set by vars.xml and then by autoload_configs, in load order."""
    values = dict(initial or {})
    files = [conf_dir / "vars.xml", *sorted((conf_dir / "autoload_configs").glob("*.xml"))]
    for path in files:
        if path.exists():
            for name, value in _SET.findall(path.read_text(encoding="utf-8")):
                values[name.strip()] = expand_globals(value, values)
    return values


def expand_globals(text: str, values: dict[str, str]) -> str:
    """$${name} → its value ("" when unknown, as the pre-processor leaves nothing)."""
    return _GLOBAL.sub(lambda m: values.get(m.group(1), ""), text)
