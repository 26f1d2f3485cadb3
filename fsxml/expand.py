"""The text side of the simulated XML dialplan, ported from FreeSWITCH 1.10: variable expansion
(switch_channel.c), the configuration pre-processor (switch_xml.c), PCRE as switch_regex.c drives
it, and the time expressions of time conditions (switch_xml.c, switch_utils.c)."""

from __future__ import annotations

import glob as globlib
import logging
import os
import re
from collections.abc import Callable, Mapping, MutableMapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import pcre2

log = logging.getLogger("fsxml.dialplan")

ApiFunction = Callable[[str, str], str]
"""`api(command, args) -> output`, what `${command(args)}` expands to ("" for an unknown one)."""

MAX_DEPTH = 100  # FreeSWITCH's limit for nested expansion and for nested includes
_INT = re.compile(r"\s*([+-]?\d+)")
_ESCAPED = re.compile(r"\\[\\nst']")
TIME_ATTRS = ("date-time", "year", "yday", "mon", "mday", "week", "mweek", "wday", "hour",
              "minute", "minute-of-day", "time-of-day", "tz-offset", "dst")


class DialplanError(Exception):
    """A dialplan FreeSWITCH would not run as written (malformed XML, a regex that does not
    compile); `file` and `line` say where."""

    def __init__(self, message: str, file: Path | None = None, line: int | None = None) -> None:
        where = f"{file}:{line}: " if line is not None else f"{file}: " if file else ""
        super().__init__(where + message)
        self.file, self.line = file, line


def strtol(text: str, start: int = 0) -> tuple[int, int]:
    """C `strtol` base 10: the value and where parsing stopped (`start` if nothing parsed)."""
    found = _INT.match(text, start)
    return (int(found.group(1)), found.end()) if found else (0, start)


def atol(text: str) -> int:
    return strtol(text)[0]


def switch_true(value: str | None) -> bool:
    """switch_true: yes/on/true/t/enabled/active/allow, or a non-zero number."""
    if not value:
        return False
    if value.lower() in ("yes", "on", "true", "t", "enabled", "active", "allow"):
        return True
    return bool(re.fullmatch(r"[+-]?\d+", value)) and int(value) != 0


def lookup_variable(variables: Mapping[str, str], name: str, idx: int = -1) -> str | None:
    """A variable as FreeSWITCH finds it: names are case-insensitive, an `ARRAY::a|:b` value
    can be indexed."""
    value = variables.get(name)
    if value is None:
        value = variables.get(name.lower())
    if value is None:
        value = next((v for k, v in variables.items() if k.lower() == name.lower()), None)
    if value is None or idx < 0:
        return value
    items = value[7:].split("|:") if value.startswith("ARRAY::") else []
    return items[idx] if idx < len(items) else None


def array_value(items: Sequence[str]) -> str | None:
    """The value of a variable after `items` were pushed onto it; None when there are none."""
    if not items:
        return None
    return items[0] if len(items) == 1 else "ARRAY::" + "|:".join(items)


def pushed(value: str | None, item: str) -> str:
    """`value` with `item` pushed onto it, as a channel variable added with SWITCH_STACK_PUSH
    (transfer_history): one item is the plain value, more are `ARRAY::a|:b`."""
    # FreeSWITCH: switch_channel.c switch_channel_add_variable_var_check
    # FreeSWITCH: switch_event.c switch_event_base_add_header (SWITCH_STACK_PUSH, redraw)
    if not value:
        items = []
    elif value.startswith("ARRAY::") and len(value) >= 8:
        items = value[7:].split("|:")
    else:
        items = [value]
    return array_value([*items, item]) or item


# -- switch_channel_expand_variables ------------------------------------------------------------

def expand_variables(text: str, variables: Mapping[str, str],
                     api: ApiFunction | None = None) -> str:
    """Expand `text` as switch_channel_expand_variables does.

    `${name}` is the variable's value, itself expanded; an unknown one expands to "".
    `${name:offset:length}` is a substring (a negative offset counts from the end), `${name[2]}`
    an element of an array value, `${pre_${x}}` expands the name first; `$${name}` is the same
    lookup (the pre-processor already replaced the globals it knew). `${cmd(args)}` and
    `${cmd args}` are `api(cmd, args)` ("" without `api`). `\\$` keeps a dollar, `\\\\` is one
    backslash, `\\'` vanishes. Pass a mapping that falls back to caller-profile fields and
    globals to see what a channel sees.
    """
    return _expand(text, variables, api, 0)


def _expand(text: str, variables: Mapping[str, str], api: ApiFunction | None, depth: int) -> str:
    if depth > MAX_DEPTH or not text or ("${" not in text and not _ESCAPED.search(text)):
        return text
    out: list[str] = []
    n, p = len(text), 0
    while p < n:
        literal = False
        if text[p] == "\\" and p + 1 < n:
            if text[p + 1] in "'\\":
                out.append("" if text[p + 1] == "'" else "\\")
                p += 2
                continue
            if text[p + 1] == "$":
                literal, p = True, p + 1
                p += 1 if text[p + 1:p + 2] == "$" else 0
        if text[p] == "$" and not literal:
            q = p + 1 if text[p + 1:p + 2] == "$" else p
            if text[q + 1:q + 2] == "{":
                value, p = _reference(text, q + 2, variables, api, depth)
                out.append(value)
                if p < n and text[p] != "$":  # FreeSWITCH copies this one as it is
                    out.append(text[p])
                    p += 1
                continue
            p = q
        out.append(text[p])
        p += 1
    return "".join(out)


def _reference(text: str, start: int, variables: Mapping[str, str], api: ApiFunction | None,
               depth: int) -> tuple[str, int]:
    """Expand the `${…}` whose body starts at `start`: (value, index after its `}`)."""
    level, e = 1, start
    while e < len(text) and not (level == 1 and text[e] == "}"):
        level += 1 if e != start and text[e] == "{" else -1 if level > 1 and text[e] == "}" else 0
        e += 1
    body = text[start:e]
    call = re.search(r"[ (]", body)
    if call is None:
        return _variable(body, variables, api, depth), e + 1
    level, args = (1 if call[0] == "(" else 0), body[call.end():]
    for j, char in enumerate(args):
        if char == ")" and level == 1:
            args = args[:j]
            break
        level += 1 if char == "(" else -1 if char == ")" and level > 1 else 0
    if api is None:
        return "", e + 1
    name = _expand(body[:call.start()].rstrip(" "), variables, api, depth + 1)
    return api(name, _expand(args, variables, api, depth + 1)), e + 1


def _variable(body: str, variables: Mapping[str, str], api: ApiFunction | None,
              depth: int) -> str:
    name, _, spec = _expand(body, variables, api, depth + 1).partition(":")
    offset, length = atol(spec), atol(spec.partition(":")[2]) if ":" in spec else 0
    idx, bracket = -1, name.find("[")
    if bracket >= 0 and "]" in name[bracket:]:
        name, idx = name[:bracket], atol(name[bracket + 1:])
    value = lookup_variable(variables, name, idx)
    if value is None:
        return ""
    value = _expand(value, variables, api, depth + 1)
    if offset >= 0 or -offset <= len(value):  # a too-negative offset leaves it whole
        value = value[offset:]
    return value[:length] if 0 < length < len(value) else value


# -- the pre-processor --------------------------------------------------------------------------

@dataclass
class Preprocessed:
    """The text the pre-processor hands to the XML parser, and where each line of it came from."""

    chunks: list[str] = field(default_factory=list)
    origins: list[tuple[Path, int]] = field(default_factory=list)
    _pending: bool = True  # the current output line has no origin yet

    def write(self, chunk: str, origin: tuple[Path, int]) -> None:
        self.chunks.append(chunk)
        for i, piece in enumerate(chunk.split("\n")):
            if i and self._pending:
                self.origins.append(origin)  # an empty line
            self._pending = self._pending or bool(i)
            if piece and self._pending:
                self.origins.append(origin)
                self._pending = False

    def where(self, line: int) -> tuple[Path | None, int | None]:
        """Source file and line of output line `line` (1-based)."""
        if 1 <= line <= len(self.origins):
            return self.origins[line - 1]
        return self.origins[-1] if self.origins else (None, None)


def set_global(global_vars: MutableMapping[str, str], assignment: str) -> None:
    """`name = value` as switch_core_set_variable stores it (a `${` in it is disarmed to `%{`)."""
    name, equals, value = assignment.partition("=")
    if equals:
        name = name.rstrip(" ")
        for key in [k for k in global_vars if k.lower() == name.lower()]:
            del global_vars[key]
        global_vars[name] = re.sub(r"\$(?=\{)", "%", value.lstrip(" "))


def preprocess_file(path: Path, cwd: Path, global_vars: MutableMapping[str, str],
                    out: Preprocessed, depth: int = 0) -> None:
    """FreeSWITCH's pre-processor over one file, its output appended to `out`.

    Per line: `$${name}` becomes the global's value ("" if unset); a line holding `<include>`,
    `</include>` or `<?` is dropped whole; `<X-PRE-PROCESS cmd="set|include" data="…"/>` is run
    and its line dropped, even inside an XML comment (FreeSWITCH acts on those too). Includes
    glob relative to `cwd`, then to each included file's own directory.
    """
    if depth > MAX_DEPTH:
        log.error("Error including %s (Maximum recursion limit reached)", path)
        return
    try:
        lines = path.read_text(encoding="utf-8").split("\n")
    except OSError as exc:
        log.error("Couldnt open %s (%s)", path, exc.strerror)
        return
    for number, raw in enumerate(lines, 1):
        raw += "\n" if number < len(lines) else ""
        line = re.sub(r"\$\$\{([^{}]*)\}",
                      lambda m: lookup_variable(global_vars, m[1]) or "", raw)
        if "<include>" in raw or "</include>" in raw or "<?" in raw:
            continue
        at = line.lower().find("x-pre-process")
        if at < 0:
            out.write(line, (path, number))
            continue
        cmd = re.search(r'cmd.*?=.*?"([^"]*)"(.*)', line[at:], re.I | re.S)
        data = cmd and re.search(r'data.*?=.*?"([^"]*)"?', cmd[2], re.I | re.S)
        if at and line[at - 1] == "<" and cmd and data:
            _run_command(cmd[1].lower(), data[1].rstrip("\r\n"), cwd, global_vars, out, depth)


def _run_command(cmd: str, arg: str, cwd: Path, global_vars: MutableMapping[str, str],
                 out: Preprocessed, depth: int) -> None:
    if cmd == "set":
        set_global(global_vars, arg)
    elif cmd == "include":
        pattern = arg if os.path.isabs(arg) else str(cwd / arg)
        for match in sorted(globlib.glob(pattern)) or [pattern]:
            preprocess_file(Path(match), Path(match).parent, global_vars, out, depth + 1)
    else:
        log.warning("pre-processor command %r is not run by the simulator", cmd)


def read_globals(path: Path, initial: Mapping[str, str] | None = None) -> dict[str, str]:
    """The global variables a vars.xml (and what it includes) sets, on top of `initial`."""
    global_vars = dict(initial or {})
    preprocess_file(Path(path), Path(path).parent, global_vars, Preprocessed())
    return global_vars


# -- PCRE as switch_regex.c drives it -----------------------------------------------------------

@lru_cache(maxsize=2048)
def compile_pcre(expression: str) -> pcre2.Pattern:
    """Compile a dialplan expression with PCRE2, as FreeSWITCH does (`_NXX.` Asterisk patterns
    and `/re/is` included); raises RegexError where PCRE2 refuses it.

    FreeSWITCH: src/switch_regex.c switch_regex_compile (pcre2_compile; `/…/` with `i` →
    PCRE2_CASELESS, `s` → PCRE2_DOTALL) and switch_ast2regex."""
    flags = 0
    if expression.startswith("_"):  # switch_ast2regex
        table = {"N": "[2-9]", "X": "[0-9]", "Z": "[1-9]", ".": ".*"}
        expression = "^" + "".join(table.get(c, c) for c in expression[1:]) + "$"
    if expression.startswith("/"):
        body, slash, options = expression[1:].rpartition("/")
        if not slash:
            raise RegexError(f"expression [{expression}] missing ending '/' delimeter")
        expression = body
        flags |= (pcre2.IGNORECASE if "i" in options else 0) | \
            (pcre2.DOTALL if "s" in options else 0)
    try:
        return pcre2.compile(expression, flags)
    except pcre2.LibraryError as exc:
        raise RegexError(str(exc)) from None


class RegexError(ValueError):
    """An expression PCRE2 (so FreeSWITCH) will not compile."""


def pcre_match(pattern: pcre2.Pattern, subject: str) -> list[str | None] | None:
    """switch_regex_perform: groups 0 … last one set, or None. FreeSWITCH leaves PCRE room for
    groups 0-9 only: a match that sets a later one counts as no match."""
    found = pattern.search(subject)
    if found is None:
        return None
    groups: list[str | None] = [found.group(0), *found.groups()]
    while groups[-1] is None:
        groups.pop()
    return None if len(groups) > 10 else groups


def substitute(data: str, groups: Sequence[str | None]) -> str:
    """switch_perform_substitution: `$N` / `${N}` become capture N ("" if unset or absent); any
    other `$` stays, so `${var}` is left for execution time (`${1` loses its `${`, as there)."""
    def capture(found: re.Match[str]) -> str:
        if found[3] is not None:
            return ""
        num = int(found[1] or found[2])
        return (groups[num] or "") if num < len(groups) else ""

    return re.sub(r"\$(?:\{(\d{1,9})\}|(\d{1,9})|\{(?=(\d)))", capture, data)


# -- time conditions ----------------------------------------------------------------------------

def _ranges(expression: str, value: int, parse: Callable[[str], int | None],
            single: bool = True) -> bool:
    """Comma-separated values (if `single`) and `low-high` ranges; a reversed range wraps."""
    for block in expression.split(","):
        low, dash, high = block.partition("-")
        start, end = parse(low), parse(high) if dash else None
        if start is None or (dash and end is None) or not (dash or single):
            continue
        if end is None and value == start:
            return True
        if end is not None and ((start <= value <= end) if start <= end
                                else (value >= start or value <= end)):
            return True
    return False


def number_cmp(expression: str, value: int) -> bool:
    return _ranges(expression, value, atol)


def dow_cmp(expression: str, value: int) -> bool:
    """1 = Sunday, or `sun`…`sat`."""
    days = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")

    def day(text: str) -> int | None:
        text = text.strip().lower()
        if len(text) == 1 and text in "1234567":
            return int(text)
        return days.index(text[:3]) + 1 if text[:3] in days else None

    return _ranges(expression, value, day)


def tod_cmp(expression: str, seconds: int) -> bool:
    """`hh:mm[:ss]-hh:mm[:ss]` blocks, ends included."""
    def clock(text: str) -> int | None:
        if ":" not in text:
            return None
        h, _, rest = text.partition(":")
        m, _, s = rest.partition(":")
        return atol(h) * 3600 + atol(m) * 60 + atol(s)

    return _ranges(expression, seconds, clock, single=False)


def fulldate_cmp(expression: str, now: datetime) -> bool:
    """`YYYY-MM-DD hh:mm[:ss]~YYYY-MM-DD hh:mm[:ss]` blocks: start included, end excluded."""
    def stamp(text: str) -> datetime | None:
        found = re.fullmatch(r"\s*(\d+)-(\d+)-(\d+) (\d+):(\d+)(?::(\d+))?\s*", text)
        if found is None:
            return None
        y, mo, d, h, mi, s = (int(g or 0) for g in found.groups())
        try:  # mktime normalises out-of-range fields
            base = datetime(max(1, y + (mo - 1) // 12), (mo - 1) % 12 + 1, 1)
            return base + timedelta(days=d - 1, hours=h, minutes=mi, seconds=s)
        except (ValueError, OverflowError):
            return None

    moment = now.replace(microsecond=0, tzinfo=None)
    for block in expression.split(","):
        low, _, high = block.partition("~")
        start, end = stamp(low), stamp(high)
        if start is not None and end is not None and start <= moment < end:
            return True
    return False


def _clock(now: datetime, tz_offset: str | None, zone: str | None) -> tuple[datetime, int]:
    """The wall clock time conditions read (shifted by `tod_tz_offset` hours or into the
    `timezone` zone), and its UTC offset in hours. A naive `now` counts as UTC when shifted."""
    instant = now if now.tzinfo else now.replace(tzinfo=UTC)
    if tz_offset and re.fullmatch(r"[+-]?[\d.]+", tz_offset):
        return instant.astimezone(UTC).replace(tzinfo=None) + timedelta(hours=atol(tz_offset)), \
            atol(tz_offset)
    if zone:
        try:
            now = instant.astimezone(ZoneInfo(zone))
        except (ZoneInfoNotFoundError, ValueError):
            log.error("Timezone %s not found", zone)
    return now, int((now.utcoffset() or timedelta()).total_seconds() / 3600)


def time_match(times: Mapping[str, str], now: datetime, tz_offset: str | None = None,
               zone: str | None = None) -> int:
    """switch_xml_std_datetime_check: -1 without time attributes, else 1 (all match) or 0."""
    if not times:
        return -1
    tm, offset = _clock(now, tz_offset, zone)
    yday, wday = tm.timetuple().tm_yday, (tm.weekday() + 1) % 7  # C tm_wday: Sunday = 0
    first_dow = (7 - (tm.day - (wday + 1)) % 7) % 7
    checks: dict[str, Callable[[str], bool]] = {
        "tz-offset": lambda e: not re.fullmatch(r"[+-]?[\d.]+", e) or atol(e) == offset,
        "dst": lambda e: not e or (switch_true(e) and bool(now.dst())),
        "date-time": lambda e: fulldate_cmp(e, now),
        "year": lambda e: number_cmp(e, tm.year),
        "yday": lambda e: number_cmp(e, yday),
        "mon": lambda e: number_cmp(e, tm.month),
        "mday": lambda e: number_cmp(e, tm.day),
        "week": lambda e: number_cmp(e, (yday - 1) // 7 + 1),
        "mweek": lambda e: number_cmp(e, -(-(tm.day + first_dow) // 7)),
        "wday": lambda e: dow_cmp(e, wday + 1),
        "hour": lambda e: number_cmp(e, tm.hour),
        "minute": lambda e: number_cmp(e, tm.minute),
        "minute-of-day": lambda e: number_cmp(e, tm.hour * 60 + tm.minute + 1),
        "time-of-day": lambda e: tod_cmp(e, tm.hour * 3600 + tm.minute * 60 + tm.second),
    }
    return int(all(checks[name](value) for name, value in times.items() if name in checks))
