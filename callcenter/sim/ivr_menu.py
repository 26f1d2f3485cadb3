"""The `ivr` application: FreeSWITCH's XML menus (switch_ivr_menu.c, reference §4.1), as far as
the hotline's static menu uses them — greetings, one digit, `menu-exec-app`, invalid input,
timeouts, and what runs when the failures or timeouts run out."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path

from defusedxml.ElementTree import fromstring as safe_fromstring

from callcenter.sim import sites
from callcenter.sim.session import Session
from fsxml.conf_tree import expand_globals

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Menu:
    name: str
    greet_long: str = ""
    greet_short: str = ""
    invalid_sound: str = ""
    exit_sound: str = ""
    timeout_ms: int = 10000
    max_failures: int = 3
    max_timeouts: int = 3
    on_max_failures: str = ""
    on_max_timeouts: str = ""
    entries: dict[str, tuple[str, str]] = field(default_factory=dict)  # digits → (action, param)


def load_menus(folder: Path, globals_: dict[str, str]) -> dict[str, Menu]:
    """Every <menu> of ivr_menus/*.xml (what vanilla ivr.conf.xml includes)."""
    menus: dict[str, Menu] = {}
    for path in sorted(folder.glob("*.xml")) if folder.is_dir() else []:
        root = safe_fromstring(expand_globals(path.read_text(encoding="utf-8"), globals_))
        for menu in root.iter("menu"):
            timeout = int(menu.get("timeout") or 0)
            failures = int(menu.get("max-failures") or 3)
            menus[menu.get("name", "")] = Menu(
                name=menu.get("name", ""), greet_long=menu.get("greet-long", ""),
                greet_short=menu.get("greet-short", ""),
                invalid_sound=menu.get("invalid-sound", ""),
                exit_sound=menu.get("exit-sound", ""),
                timeout_ms=timeout if timeout > 0 else 10000, max_failures=failures,
                max_timeouts=int(menu.get("max-timeouts") or failures),
                on_max_failures=menu.get("exec-on-max-failures", ""),
                on_max_timeouts=menu.get("exec-on-max-timeouts", ""),
                entries={e.get("digits", ""): (e.get("action", ""), e.get("param", ""))
                         for e in menu.iter("entry")})
    return menus


def ivr_app(session: Session, data: str) -> str:
    """`ivr <menu>`: greet, take one key, run its entry; invalid or no input, try again."""
    menu = session.switch.menus.get(data.strip())
    if menu is None:
        log.warning("ivr: no menu %r", data)
        return "_none_"
    # FreeSWITCH: switch_ivr_menu.c switch_ivr_menu_execute (menu::enter; greet-long, then
    # greet-short on the next tries; max-failures / max-timeouts and their exec-on-*; the
    # exit sound; menu::exit at the end, also when an entry transferred the call)
    session.fire("CUSTOM", after=[("Menu-Name", menu.name)], subclass="menu::enter",
                 calling=sites.MENU)
    try:
        return _run_menu(session, menu)
    finally:
        session.fire("CUSTOM", after=[("Menu-Name", menu.name)], subclass="menu::exit",
                     calling=sites.MENU)


def _run_menu(session: Session, menu: Menu) -> str:
    from callcenter.sim.apps import play_prompt

    failures = timeouts = 0
    status = "failure"
    while failures < menu.max_failures and timeouts < menu.max_timeouts:
        session.press_key_if_prompted()
        play_prompt(session, menu.greet_long if failures + timeouts == 0 or not
                    menu.greet_short else menu.greet_short)
        digits = session.collect_digits(1, menu.timeout_ms / 1000, "#")
        if not digits:
            timeouts += 1
            status = "timeout"
            continue
        action, param = menu.entries.get(digits, ("", ""))
        if action != "menu-exec-app":
            failures += 1
            status = "failure"
            play_prompt(session, menu.invalid_sound)
            continue
        session.channel.variables["ivr_menu_status"] = "success"
        _run(session, param)
        return "_none_"
    session.channel.variables["ivr_menu_status"] = status
    follow = menu.on_max_timeouts if status == "timeout" else menu.on_max_failures
    if follow:
        _run(session, follow)
    play_prompt(session, menu.exit_sound)
    return "_none_"


def _run(session: Session, line: str) -> None:
    app, _, args = line.partition(" ")
    session.execute(app, args)
