"""`callcenter switch-conf check DIR`: what FreeSWITCH would reject, or silently ignore, in a
configuration tree — before an operator finds out on a live switch.

The whole tree, as FreeSWITCH loads it: `xml` (every file well formed as the fragment the
pre-processor splices in), `module` (every module the hotline needs is loaded by
modules.conf.xml, modules.py), `strategy` (mod_callcenter's names), `password` (not the stock
ClueCon), `hold-music` (the queues' music exists, hold_music.py), `cdr` (mod_json_cdr is told to
write into the daemon's spool folder), `domain` (the switch's $${domain} is the hotline's).
The hotline's own files (those the installer writes: the templates and the manifest's list),
whose faults are ours to report — the operator's stock dialplans and demo menus are theirs:
`application` (every dialplan/IVR application is one FreeSWITCH registers,
switch_conf/applications.toml), `queue` (queues the dialplan uses are defined), `ivr-target` (a
menu's transfer reaches an extension, by hunting the whole dialplan), `prompt` (the hotline's
sound files exist at every rate), `regex` (PCRE2 compiles every condition)."""

from __future__ import annotations

import ipaddress
import json
import re
import tomllib
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from callcenter.switchconf.hold_music import hold_music_problems
from callcenter.switchconf.install import MANIFEST
from callcenter.switchconf.modules import APPLICATIONS_FILE, needed_modules
from callcenter.switchconf.modules_conf import MODULES_CONF, ModulesConfError, loaded_modules
from callcenter.switchconf.prompts import Prompts
from callcenter.switchconf.render import STOCK_PASSWORD, environment
from db.topics import STRATEGIES
from fsxml.conf_tree import expand_globals, tree_globals
from fsxml.expand import RegexError, compile_pcre
from fsxml.fragments import parse_fragment


@dataclass(frozen=True)
class Problem:
    rule: str
    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.rule}: {self.path}: {self.message}"


def known_applications(path: Path = APPLICATIONS_FILE) -> frozenset[str]:
    """Every application name FreeSWITCH registers (any module, any version read)."""
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    return frozenset(name for names in data["modules"].values() for name in names)


class Checker:
    def __init__(self, conf_dir: Path, prompts: Prompts | None = None,
                 sounds_dir: Path | None = None) -> None:
        self.conf_dir = conf_dir
        self.prompts = prompts
        self.sounds_dir = sounds_dir
        self.problems: list[Problem] = []
        self.trees: dict[Path, ET.Element] = {}
        self.ours = self._hotline_files()

    def _hotline_files(self) -> set[Path]:
        """The files the installer writes: the templates' names, and the manifest's."""
        names = set(environment().list_templates())
        manifest = self.conf_dir / MANIFEST
        if manifest.exists():
            data = json.loads(manifest.read_text())
            names |= set(data.get("files", data))
        return {self.conf_dir / name for name in names if name.endswith(".xml")}

    def report(self, rule: str, path: Path | str, message: str) -> None:
        where = str(path.relative_to(self.conf_dir)) if isinstance(path, Path) else path
        self.problems.append(Problem(rule, where, message))

    def run(self) -> list[Problem]:
        self.check_xml()
        self.check_modules()
        self.check_applications()
        self.check_queues()
        self.check_ivr_targets()
        self.check_prompts()
        self.check_regexes()
        self.check_password()
        self.check_hold_music()
        self.check_cdr()
        self.check_domain()
        return self.problems

    # -- rules -------------------------------------------------------------------------

    def check_xml(self) -> None:
        for path in sorted(self.conf_dir.rglob("*.xml")):
            try:
                self.trees[path] = parse_fragment(path.read_bytes().decode("utf-8"))
            except (ET.ParseError, UnicodeDecodeError) as exc:
                self.report("xml", path, f"not well formed: {exc}")

    def _elements(self, folder: str, tag: str) -> list[tuple[Path, ET.Element]]:
        """`tag` elements of the hotline's files under `folder`."""
        base = self.conf_dir / folder
        return [(path, element) for path, root in self.trees.items()
                if path in self.ours and path.is_relative_to(base)
                for element in root.iter(tag)]

    def check_modules(self) -> None:
        path = self.conf_dir / MODULES_CONF
        if not path.exists():
            self.report("module", MODULES_CONF, "missing: FreeSWITCH loads no module")
            return
        try:
            loaded = set(loaded_modules(path.read_bytes().decode("utf-8")))
        except (ModulesConfError, UnicodeDecodeError) as exc:
            self.report("module", path, str(exc))
            return
        files = {str(p.relative_to(self.conf_dir)): p.read_text(encoding="utf-8")
                 for p in sorted(self.ours) if p in self.trees}
        for module, why in needed_modules(files, tree_globals(self.conf_dir)).items():
            if module not in loaded:
                self.report("module", path, f"{module} is not loaded, and the hotline needs it "
                            f"for {why} (switch-conf install enables it; then restart "
                            f"FreeSWITCH or fs_cli -x 'load {module}')")

    def _menu_apps(self) -> list[tuple[Path, str]]:
        """(file, "app args") of every application a menu runs."""
        out = []
        for path, menu in self._elements("ivr_menus", "menu"):
            for attribute in ("exec-on-max-failures", "exec-on-max-timeouts"):
                if menu.get(attribute):
                    out.append((path, menu.get(attribute, "")))
            for entry in menu.iter("entry"):
                if entry.get("action") == "menu-exec-app":
                    out.append((path, entry.get("param", "")))
        return out

    def check_applications(self) -> None:
        known = known_applications()
        uses = [(path, action.get("application", ""))
                for tag in ("action", "anti-action")
                for path, action in self._elements("dialplan", tag)]
        uses += [(path, line.split(" ")[0]) for path, line in self._menu_apps()]
        for path, app in uses:
            if app not in known:
                self.report("application", path, f"unknown application {app!r} (no "
                            "FreeSWITCH module registers it: switch_conf/applications.toml)")

    def _queues(self) -> set[str]:
        path = self.conf_dir / "autoload_configs" / "callcenter.conf.xml"
        root = self.trees.get(path)
        if root is None:
            return set()
        names = set()
        for queue in root.iter("queue"):
            names.add(queue.get("name", ""))
            for param in queue.iter("param"):
                if param.get("name") == "strategy" and param.get("value") not in STRATEGIES:
                    self.report("strategy", path, f"queue {queue.get('name')}: unknown strategy "
                                f"{param.get('value')!r} (mod_callcenter falls back to an "
                                "undocumented order)")
        return names

    def check_queues(self) -> None:
        defined = self._queues()
        for tag in ("action", "anti-action"):
            for path, action in self._elements("dialplan", tag):
                queue = (action.get("data") or "").split(" ")[0]
                if action.get("application") == "callcenter" and "$" not in queue and \
                        queue not in defined:
                    self.report("queue", path, f"callcenter {queue}: no such queue in "
                                "autoload_configs/callcenter.conf.xml")

    def check_ivr_targets(self) -> None:
        from fsxml.dialplan import Dialplan, DialplanError

        try:
            dialplan = Dialplan.load(self.conf_dir, global_vars=tree_globals(self.conf_dir))
        except DialplanError as exc:
            self.report("xml", "dialplan", str(exc))
            return
        for path, line in self._menu_apps():
            words = line.split()
            if len(words) < 2 or words[0] != "transfer" or "$" in words[1]:
                # a transfer to $1 takes a regex entry's digits: known only when dialled
                # FreeSWITCH: src/switch_ivr_menu.c switch_ivr_menu_execute
                # (switch_perform_substitution of the entry's param)
                continue
            context = words[3] if len(words) > 3 else "default"
            found = dialplan.hunt(context, {"destination_number": words[1]}, {},
                                  datetime.now())
            if not found:
                self.report("ivr-target", path, f"{line!r}: no extension {words[1]} in "
                            f"context {context}")

    def check_prompts(self) -> None:
        if self.prompts is None or self.sounds_dir is None:
            return
        category = re.escape(self.prompts.category)
        used = set()
        for path in self.trees.keys() & self.ours:
            used |= set(re.findall(rf"\b{category}/([A-Za-z0-9_]+)\.wav",
                                   path.read_text(encoding="utf-8")))
        base = self.sounds_dir / self.prompts.directory / self.prompts.category
        for name in sorted(used):
            for rate in self.prompts.rates:
                if not (base / str(rate) / f"{name}.wav").exists():
                    self.report("prompt", f"{self.prompts.category}/{name}.wav",
                                f"missing at {rate} Hz under {base} (scripts/make-prompts)")

    def check_regexes(self) -> None:
        for tag in ("condition", "regex"):
            for path, element in self._elements("dialplan", tag):
                expression = element.get("expression")
                if expression is None or "${" in expression:
                    continue
                try:
                    compile_pcre(expression)  # as the dialplan (and the simulator) compiles it
                except RegexError as exc:
                    self.report("regex", path, f"PCRE rejects {expression!r}: {exc}")

    def check_password(self) -> None:
        path = self.conf_dir / "autoload_configs" / "event_socket.conf.xml"
        root = self.trees.get(path)
        if root is None:
            return
        values = tree_globals(self.conf_dir)
        for param in root.iter("param"):
            if param.get("name") == "password":
                password = expand_globals(param.get("value", ""), values)
                if password in ("", STOCK_PASSWORD):
                    self.report("password", path, "the event socket uses the stock password "
                                "(anyone on the ACL can drive the switch)")

    def check_hold_music(self) -> None:
        for message in hold_music_problems(self.conf_dir, self.sounds_dir):
            self.report("hold-music", "autoload_configs/callcenter.conf.xml", message)

    def check_cdr(self) -> None:
        """Without json_cdr.conf mod_json_cdr does not load (`Open of json_cdr.conf failed`,
        SWITCH_STATUS_TERM), and without a `log-dir` it writes nothing into the daemon's
        spool: calls handled while the daemon was down would never get their rows
        (FreeSWITCH: mod_json_cdr.c mod_json_cdr_load)."""
        log_dirs = [param.get("value", "") for root in self.trees.values()
                    for conf in root.iter("configuration")
                    if conf.get("name") == "json_cdr.conf"
                    for param in conf.iter("param") if param.get("name") == "log-dir"]
        if not log_dirs:
            self.report("cdr", "autoload_configs/json_cdr.conf.xml",
                        "missing, or with no log-dir: mod_json_cdr would not write the CDRs "
                        "into the daemon's [cdr] spool_dir (switch-conf install writes it; "
                        "then fs_cli -x 'reload mod_json_cdr')")

    def check_domain(self) -> None:
        message = domain_problem(self.conf_dir)
        if message:
            self.report("domain", "vars.xml", message)


def domain_problem(conf_dir: Path) -> str | None:
    """The agents' phones are users of the directory's domain, `$${domain}` (conf/vanilla
    directory/default.xml `<domain name="$${domain}">`, which includes default/*.xml;
    internal.xml force-register-domain); the daemon rings them at `user/<ext>@<[site]
    domain>` and their A1 hashes are made with that domain. The stock vars.xml sets domain to
    the machine's address, `$${local_ip_v4}`, which only the running switch knows: then only
    a [site] domain that is no address is reported."""
    values = tree_globals(conf_dir)
    ours, theirs = values.get("hotline_domain", ""), values.get("domain", "")
    if not ours or theirs == ours or (not theirs and _is_address(ours)):
        return None
    said = theirs or "the machine's address ($${local_ip_v4})"
    return (f"the switch's domain is {said}, the hotline's [site] domain is {ours}: agents' "
            f"phones would not register and user/<ext>@{ours} would find no one; set "
            f'<X-PRE-PROCESS cmd="set" data="domain={ours}"/> in vars.xml, or [site] domain '
            f"to the switch's")


def _is_address(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


def check(conf_dir: Path, prompts: Prompts | None = None,
          sounds_dir: Path | None = None) -> list[Problem]:
    return Checker(conf_dir, prompts, sounds_dir).run()
