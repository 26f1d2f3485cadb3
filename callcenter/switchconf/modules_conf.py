"""The operator's autoload_configs/modules.conf.xml: which modules it loads, and enabling the
ones the hotline needs with the smallest edit (uncomment a commented-out `<load>`, or add one
before `</modules>`), every other byte left as it was.

FreeSWITCH: src/switch_loadable_module.c switch_loadable_module_init — at start-up it opens
"modules.conf", takes the first <modules> child and loads every <load module="…"/> in it (a
module name with a file extension is accepted only with the platform's). It is read at start-up
only: `reloadxml` loads nothing; a module enabled later needs a restart or `load mod_x`."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field

from fsxml.fragments import parse_fragment

MODULES_CONF = "autoload_configs/modules.conf.xml"
_MODULES_BLOCK = re.compile(r"<modules\s*>(.*?)</modules\s*>", re.S)


class ModulesConfError(Exception):
    """modules.conf.xml cannot be read or edited safely: the operator edits it by hand."""


def _bare(name: str) -> str:
    """mod_sofia.so → mod_sofia (the form the hotline's list uses)."""
    return re.sub(r"\.(so|dll|dylib)$", "", name)


def loaded_modules(text: str) -> list[str]:
    """The modules FreeSWITCH loads from this modules.conf.xml, in order."""
    try:
        root = parse_fragment(text)
    except ET.ParseError as exc:
        raise ModulesConfError(f"not well formed: {exc}") from exc
    for conf in root.iter("configuration"):
        if conf.get("name") == "modules.conf":
            modules = conf.find("modules")  # switch_xml_child: the first one
            if modules is None:
                return []
            return [_bare(ld.get("module", "")) for ld in modules.findall("load")
                    if ld.get("module")]
    raise ModulesConfError('no <configuration name="modules.conf">')


@dataclass
class ModulesEdit:
    text: str
    enabled: list[str] = field(default_factory=list)  # a commented-out <load> uncommented
    added: list[str] = field(default_factory=list)  # a <load> added before </modules>


def enable_modules(text: str, modules: list[str]) -> ModulesEdit:
    """`text` with every module of `modules` loaded; refuses (ModulesConfError) when the
    result would not load them (then nothing is to be written)."""
    have = set(loaded_modules(text))
    edit = ModulesEdit(text)
    for module in modules:
        if module in have:
            continue
        block = _MODULES_BLOCK.search(edit.text)
        if block is None:
            raise ModulesConfError("no <modules> … </modules> block to add to")
        commented = re.compile(r"<!--\s*<load\s+module=\"" + re.escape(module) +
                               r"(?:\.so)?\"\s*/>\s*-->")
        found = commented.search(edit.text, block.start(1), block.end(1))
        if found:
            edit.text = (edit.text[:found.start()] + f'<load module="{module}"/>' +
                         edit.text[found.end():])
            edit.enabled.append(module)
            continue
        closing = block.end(1)
        line_start = edit.text.rfind("\n", 0, closing) + 1
        indent = _load_indent(block.group(1))
        newline = "\r\n" if "\r\n" in edit.text else "\n"
        line = f'{indent}<load module="{module}"/>'
        if edit.text[line_start:closing].strip():  # </modules> shares a line: new line first
            insert, at = newline + line + newline, closing
        else:
            insert, at = line + newline, line_start
        edit.text = edit.text[:at] + insert + edit.text[at:]
        edit.added.append(module)
    missing = set(modules) - set(loaded_modules(edit.text))
    if missing:
        raise ModulesConfError(f"could not enable {', '.join(sorted(missing))}")
    return edit


def _load_indent(block: str) -> str:
    """The indentation of the block's <load> lines (four spaces in conf/vanilla)."""
    found = re.search(r"^([ \t]*)<load\b", block, re.M)
    return found.group(1) if found else "    "
