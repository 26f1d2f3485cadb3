"""The simulator's XML dialplan: FreeSWITCH 1.10's mod_dialplan_xml in pure Python.

`Dialplan.load` builds the dialplan as FreeSWITCH builds its `dialplan` section (through the
pre-processor); `Dialplan.hunt` is `dialplan_hunt` + `parse_exten`, and logs what they log
("Dialplan: <channel> Regex (PASS) […]") on the `fsxml.dialplan` logger.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from xml.parsers import expat

import pcre2

from fsxml.expand import (
    TIME_ATTRS,
    ApiFunction,
    DialplanError,
    Preprocessed,
    array_value,
    atol,
    compile_pcre,
    expand_variables,
    log,
    pcre_match,
    preprocess_file,
    read_globals,
    substitute,
    switch_true,
    time_match,
)

__all__ = ["Dialplan", "DialplanError", "expand_variables", "read_globals"]

InlineFunction = Callable[[str, str], object]
"""`execute_inline(application, data)`: run an `inline="true"` action on the channel now."""
VariableFunction = Callable[[str, str | None], object]
"""`on_variable(name, value)`: the hunt set (None: unset) a channel variable (DP_MATCH …)."""

BREAKS = ("on-true", "on-false", "always", "never")
PROFILE_FIELDS = frozenset((  # switch_caller_get_field_by_name
    "dialplan", "username", "caller_id_name", "caller_id_number", "orig_caller_id_name",
    "orig_caller_id_number", "callee_id_name", "callee_id_number", "ani", "aniii",
    "network_addr", "rdnis", "destination_number", "uuid", "source", "transfer_source",
    "context", "chan_name", "profile_index"))
Groups = list[str | None]


@dataclass(frozen=True)
class Action:
    application: str
    data: str
    inline: bool
    loop: int  # how many times it is added (the `loop` attribute; 0 drops it)


@dataclass(frozen=True)
class Test:
    """What a <condition> or a <regex> tests: a field against an expression, and/or the clock."""

    field: str | None
    expression: str
    times: dict[str, str]
    file: Path | None
    line: int | None


@dataclass(frozen=True)
class Condition:
    test: Test
    brk: str  # on-true | on-false | always | never
    brk_shown: str  # as FreeSWITCH logs it: the attribute, or on-false
    regex_rule: str | None  # all | any | xor: test the <regex> children instead
    regexes: tuple[Test, ...]
    actions: tuple[Action, ...]
    anti_actions: tuple[Action, ...]
    nested: tuple[Condition, ...]
    require_nested: bool


@dataclass(frozen=True)
class Extension:
    name: str | None
    cont: str | None  # the `continue` attribute as written
    conditions: tuple[Condition, ...]


class Dialplan:
    """A loaded dialplan: extensions by context (lower-cased name), and the globals it set."""

    def __init__(self, contexts: Mapping[str, tuple[Extension, ...]],
                 global_vars: Mapping[str, str]) -> None:
        self.contexts = dict(contexts)
        self.global_vars = dict(global_vars)

    @classmethod
    def load(cls, path: Path, *, global_vars: Mapping[str, str] | None = None) -> Dialplan:
        """Load one dialplan file, a directory of them, or a FreeSWITCH conf directory (one with
        `dialplan/`: its `vars.xml` gives the globals, then `dialplan/*.xml` in name order), all
        through the pre-processor. `global_vars` seeds the globals (FreeSWITCH's own, such as
        `local_ip_v4`). Raises DialplanError naming file and line for malformed XML or a bad regex.
        """
        path = Path(path)
        globals_ = dict(global_vars or {})
        out = Preprocessed()
        if path.is_dir():
            directory = path / "dialplan" if (path / "dialplan").is_dir() else path
            if directory != path and (path / "vars.xml").is_file():
                globals_ = read_globals(path / "vars.xml", globals_)
            for file in sorted(directory.glob("*.xml")):
                preprocess_file(file, directory, globals_, out)
        elif path.is_file():
            preprocess_file(path, path.parent, globals_, out)
        else:
            raise DialplanError("no such dialplan file or directory", path)
        return cls(_contexts(out), globals_)

    def hunt(self, context: str, profile: Mapping[str, str], variables: Mapping[str, str],
             now: datetime, execute_inline: InlineFunction | None = None, *,
             api: ApiFunction | None = None,
             on_variable: VariableFunction | None = None) -> list[tuple[str, str]]:
        """The (application, data) list a channel routed to `context` executes, in order; empty
        when no extension matched (FreeSWITCH then hangs up with NO_ROUTE_DESTINATION).

        `profile`: caller-profile fields by dialplan name (destination_number, caller_id_number,
        chan_name …). `variables`: the channel's; as in FreeSWITCH a `${name}` not among them
        comes from the profile, then the globals, else is "". `now`: the switch clock for time
        conditions (naive = switch local time; `tod_tz_offset` / `timezone` shift it).
        `$1`… are substituted, `${…}` left for execution time. Inline actions go to
        `execute_inline(app, data)` (data as in the result); `set`, `export`, `unset` and
        `multiset` among them also update the hunt's copy of the variables, for later conditions.
        `api` serves `${cmd(args)}`; `on_variable` hears what the hunt sets (DP_MATCH …).
        """
        hunt = _Hunt(self, context, profile, variables, now, execute_inline, api, on_variable)
        log.info("Processing %s <%s>->%s in context %s", hunt.profile.get("caller_id_name", ""),
                 hunt.profile.get("caller_id_number", ""), hunt.dest, context)
        extensions = self.contexts.get(context.lower(), self.contexts.get("global"))
        if extensions is None:
            log.warning("Context %s not found", context)
            return []
        names = [(ext.name or "").lower() for ext in extensions]
        if switch_true(hunt.view.get("auto_hunt")) and hunt.dest.lower() in names:
            extensions = extensions[names.index(hunt.dest.lower()):]
        for ext in extensions:
            name = ext.name or "UNKNOWN"
            log.debug("Dialplan: %s parsing [%s->%s] continue=%s", hunt.chan, context, name,
                      ext.cont or "false")
            if hunt.parse_exten(ext.conditions, name, 0, True) and not switch_true(ext.cont):
                break
        return hunt.actions


# -- loading --------------------------------------------------------------------------------------

def _contexts(out: Preprocessed) -> dict[str, tuple[Extension, ...]]:
    """Parse the pre-processed text (expat, for line numbers) into contexts; the first context
    of a name wins, as switch_xml_find_child finds it."""
    builder, parser = ET.TreeBuilder(), expat.ParserCreate()
    lines: dict[int, tuple[Path | None, int | None]] = {}

    def start(tag: str, attrs: dict[str, str]) -> None:
        lines[id(builder.start(tag, attrs))] = out.where(parser.CurrentLineNumber)

    parser.StartElementHandler, parser.EndElementHandler = start, builder.end
    parser.CharacterDataHandler = builder.data
    text = "".join(out.chunks)  # FreeSWITCH's parser keeps a bare `&`; expat needs it escaped
    text = re.sub(r"&(?!#\d+;|#x[0-9a-fA-F]+;|[A-Za-z_][\w.-]*;)", "&amp;", text)
    try:
        parser.Parse("<dialplan>" + text + "</dialplan>", True)
    except expat.ExpatError as exc:
        raise DialplanError(f"malformed XML: {expat.ErrorString(exc.code)}",
                            *out.where(exc.lineno)) from None
    root = builder.close()
    sections = [s for s in root.iter("section") if s.get("name", "").lower() == "dialplan"]
    contexts: dict[str, tuple[Extension, ...]] = {}
    for element in (c for holder in [root, *sections] for c in holder.findall("context")):
        extensions = tuple(
            Extension(ext.get("name"), ext.get("continue"),
                      tuple(_condition(c, lines) for c in ext.findall("condition")))
            for ext in element.findall("extension"))
        contexts.setdefault(element.get("name", "").lower(), extensions)
    return contexts


def _test(element: ET.Element, lines: Mapping[int, tuple[Path | None, int | None]]) -> Test:
    child = element.find("expression")
    expression = (child.text or "") if child is not None else element.get("expression", "")
    times = {k: element.get(k, "") for k in TIME_ATTRS if element.get(k) is not None}
    test = Test(element.get("field"), expression, times, *lines.get(id(element), (None, None)))
    if test.field is not None and "${" not in expression:
        _compile(expand_variables(expression, {}), test)  # static: checked at load time
    return test


def _actions(element: ET.Element, tag: str) -> tuple[Action, ...]:
    return tuple(Action(a.get("application", ""), a.text or a.get("data") or "",
                        switch_true(a.get("inline")), atol(a.get("loop", "1")))
                 for a in element.findall(tag))


def _condition(element: ET.Element,
               lines: Mapping[int, tuple[Path | None, int | None]]) -> Condition:
    brk = (element.get("break") or "").lower()
    nested = element.get("require-nested")
    return Condition(
        test=_test(element, lines), brk=brk if brk in BREAKS else "on-false",
        brk_shown=element.get("break", "") if brk in BREAKS else "on-false",
        regex_rule=element.get("regex"),
        regexes=tuple(_test(r, lines) for r in element.findall("regex")),
        actions=_actions(element, "action"), anti_actions=_actions(element, "anti-action"),
        nested=tuple(_condition(c, lines) for c in element.findall("condition")),
        require_nested=nested is None or switch_true(nested))


def _compile(expression: str, test: Test) -> pcre2.Pattern:
    try:
        return compile_pcre(expression)
    except ValueError as exc:
        raise DialplanError(f"invalid regex /{expression}/: {exc}", test.file,
                            test.line) from None


# -- hunting --------------------------------------------------------------------------------------

class _Hunt:
    """One run of dialplan_hunt: the channel as the hunt sees it, and the extension it builds."""

    def __init__(self, dialplan: Dialplan, context: str, profile: Mapping[str, str],
                 variables: Mapping[str, str], now: datetime,
                 execute_inline: InlineFunction | None, api: ApiFunction | None,
                 on_variable: VariableFunction | None) -> None:
        self.profile = {k.lower(): v for k, v in profile.items()} | {"context": context}
        # switch_channel_get_variable: channel variables, then profile fields, then globals
        self.fallback = {k.lower(): v for k, v in dialplan.global_vars.items()}
        self.fallback |= {k: v for k, v in self.profile.items() if k in PROFILE_FIELDS}
        self.view = self.fallback | {k.lower(): v for k, v in variables.items()}
        self.now, self.api = now, api
        self.execute_inline, self.on_variable = execute_inline, on_variable
        self.chan = self.profile.get("chan_name", "")
        self.dest = self.profile.get("destination_number", "")
        self.actions: list[tuple[str, str]] = []

    def expand(self, text: str) -> str:
        return expand_variables(text, self.view, self.api)

    def say(self, space: str, message: str, *args: object) -> None:
        """A "Dialplan: <channel> …" debug line, as mod_dialplan_xml logs it."""
        log.debug("%sDialplan: %s " + message, space, self.chan, *args)

    def set_var(self, name: str, value: str | None, announce: bool = False) -> None:
        key = name.lower()
        if value is None and key not in self.fallback:
            self.view.pop(key, None)
        else:  # an unset channel variable uncovers the profile field or global of that name
            self.view[key] = self.fallback[key] if value is None else value
        if announce and self.on_variable is not None:
            self.on_variable(name, value)

    def parse_exten(self, conditions: tuple[Condition, ...], name: str, recur: int,
                    req_nest: bool) -> bool:
        """parse_exten: True when the extension (or a nested block) counts as matched."""
        if recur > 100:
            log.error("Recursion LIMIT!")
            return False
        space, shown = "", name
        if recur:
            space, shown = "|" + "-" * (4 * recur - 1) + " ", f"{name}_recur_{recur}"
            log.debug("%sDialplan: Processing recursive conditions level:%d [%s] "
                      "require-nested=%s", space, recur, shown, "TRUE" if req_nest else "FALSE")
        proceed = False
        for cond in conditions:
            proceed, anti = self.condition(cond, shown, space, proceed)
            if cond.brk == ("on-false" if anti else "on-true") or cond.brk == "always":
                break
            if proceed and cond.nested:
                proceed = self.parse_exten(cond.nested, name, recur + 1, cond.require_nested)
                if not proceed and cond.brk != "never":
                    break
        return proceed or not req_nest

    def time_match(self, test: Test) -> int:
        return time_match(test.times, self.now, self.view.get("tod_tz_offset"),
                          self.view.get("timezone"))

    def condition(self, cond: Condition, name: str, space: str,
                  proceed: bool) -> tuple[bool, bool]:
        """One <condition>: (proceed, anti_action) as parse_exten leaves them."""
        timed = self.time_match(cond.test)
        if timed >= 0:
            self.say(space, "Date/Time%sMatch (%s) [%s] break=%s", " " if timed else "",
                     "PASS" if timed else "FAIL", name, cond.brk_shown)
            proceed = bool(timed)
        anti = timed != 1
        if cond.regex_rule is not None:
            proceed, anti, groups = self.regex_rule(cond, name, space, proceed, anti)
        elif cond.test.field is not None:
            proceed, groups = self.single(cond, name, space)
            anti = anti and not proceed
        else:
            groups = None
            if timed == -1:
                self.say(space, "Absolute Condition [%s]", name)
                proceed, anti = True, False
        if anti:
            self.run(cond.anti_actions, None, "ANTI-Action", space)
            return proceed or bool(cond.anti_actions), anti
        if groups is not None:
            self.set_var("DP_MATCH", array_value([g for g in groups if g]), announce=True)
        self.run(cond.actions, groups, "Action", space)
        return proceed, anti

    def single(self, cond: Condition, name: str, space: str) -> tuple[bool, Groups | None]:
        """field=/expression=: (matched, groups for `$N` or None without a `(`). As in FreeSWITCH,
        a failed regex still runs the actions when a time attribute matched (`$N` then "")."""
        test = cond.test
        expression = self.expand(test.expression)
        data = self.field_data(test.field or "")
        groups = pcre_match(_compile(expression, test), data)
        self.say(space, "Regex (%s) [%s] %s(%s) =~ /%s/ break=%s", "FAIL" if groups is None
                 else "PASS", name, test.field, data, expression, cond.brk_shown)
        return groups is not None, ((groups or []) if "(" in expression else None)

    def regex_rule(self, cond: Condition, name: str, space: str, proceed: bool,
                   anti: bool) -> tuple[bool, bool, Groups | None]:
        """regex="all|any|xor" over the <regex> children. As in FreeSWITCH, `$1`… come from
        the last regex with a group that was tested through (a failed one clears them), else
        from the last one tested."""
        rule = (cond.regex_rule or "").lower()
        every, xor = rule == "all", rule == "xor"
        for var in [k for k in self.view if k.startswith("dp_regex_match")]:
            self.set_var(var.upper(), None, announce=True)
        passed = failed = 0
        saved: Groups | None = None
        tail: Groups | None = None
        for total, item in enumerate(cond.regexes, 1):
            expression, groups, verdict = self.regex_item(item, name, space,
                                                          "all" if every else "any")
            captures = item.field is not None and "(" in expression
            tail = (groups or []) if captures else None
            if item.field is not None or verdict:
                proceed = verdict
            passed, failed = passed + verdict, failed + (not verdict)
            if (verdict and not every and not xor) or (not verdict and every):
                break
            if captures:
                self.set_var(f"DP_REGEX_MATCH_{total}",
                             array_value([g for g in groups or [] if g]), announce=True)
                saved = groups
        if (passed == 1) if xor else ((every and not failed) or (not every and passed)):
            anti = False
        return (True, anti, saved) if saved is not None else (proceed, anti, tail)

    def regex_item(self, item: Test, name: str, space: str,
                   shown: str) -> tuple[str, Groups | None, bool]:
        """One <regex>: (expanded expression, groups, passed). A field one's time attributes
        are logged but, as in FreeSWITCH, not applied."""
        timed = self.time_match(item)
        if timed >= 0:
            self.say(space, "Date/Time%sMatch (%s) [%s]", " " if timed else "",
                     "PASS" if timed else "FAIL", name)
        expression = self.expand(item.expression)
        if item.field is None:
            if timed == -1:
                self.say(space, "Absolute Condition [%s] match=%s", name, shown)
            return expression, None, timed != 0
        data = self.field_data(item.field)
        groups = pcre_match(_compile(expression, item), data)
        self.say(space, "Regex (%s) [%s] %s(%s) =~ /%s/ match=%s", "FAIL" if groups is None
                 else "PASS", name, item.field, data, expression, shown)
        return expression, groups, groups is not None

    def field_data(self, name: str) -> str:
        """A `${…}` field expanded, else the caller-profile field of that name ("" if none)."""
        if "$" in name:
            return self.expand(name)
        key = name.lower()
        return (self.profile.get(key) if key in PROFILE_FIELDS else None) or ""

    def run(self, actions: tuple[Action, ...], groups: Groups | None, label: str,
            space: str) -> None:
        for action in actions:
            data = action.data if groups is None else substitute(action.data, groups)
            for _ in range(action.loop):
                self.say(space, "%s %s(%s)%s", label, action.application, data,
                         " INLINE" if action.inline else "")
                if action.inline:
                    self.inline(action.application, data)
                else:
                    self.actions.append((action.application, data))

    def inline(self, application: str, data: str) -> None:
        """Run an inline action; mirror the variables it sets into the hunt's view."""
        if self.execute_inline is not None:
            self.execute_inline(application, data)
        app, text = application.lower(), self.expand(data)
        items = [text]
        if app == "multiset":
            delimiter, rest = (text[2], text[3:]) if text.startswith("^^") else (" ", text)
            items = [item for item in rest.split(delimiter) if item]
        if app in ("set", "multiset") or (app == "export"
                                          and not text.lower().startswith("nolocal:")):
            for item in items:
                name, _, value = item.partition("=" if "=" in item else ",")
                self.set_var(name, value or None)
        elif app == "unset":
            self.set_var(text, None)
