"""Text forms of `callcenter_config`: argument splitting, usage text, pipe tables, cJSON output.

Split out of callcenter_api.py to keep both files short; everything is pure.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any

from callcenter.sim.callcenter_model import Agent, Member, Queue, Tier, columns

# CC_CONFIG_API_SYNTAX, printed by `callcenter_config` with no arguments as "-USAGE: \n%s\n".
USAGE_LINES = (
    "agent add [name] [type]",
    "agent del [name]",
    "agent reload [name]",
    "agent set status [agent_name] [status]",
    "agent set state [agent_name] [state]",
    "agent set contact [agent_name] [contact]",
    "agent set ready_time [agent_name] [wait till epoch]",
    "agent set reject_delay_time [agent_name] [wait second]",
    "agent set busy_delay_time [agent_name] [wait second]",
    "agent set no_answer_delay_time [agent_name] [wait second]",
    "agent get status [agent_name]",
    "agent get state [agent_name]",
    "agent get uuid [agent_name]",
    "agent list [[agent_name]]",
    "tier add [queue_name] [agent_name] [[level]] [[position]]",
    "tier set state [queue_name] [agent_name] [state]",
    "tier set level [queue_name] [agent_name] [level]",
    "tier set position [queue_name] [agent_name] [position]",
    "tier del [queue_name] [agent_name]",
    "tier reload [queue_name] [agent_name]",
    "tier list",
    "queue load [queue_name]",
    "queue unload [queue_name]",
    "queue reload [queue_name]",
    "queue list",
    "queue list agents [queue_name] [status] [state]",
    "queue list members [queue_name]",
    "queue list tiers [queue_name]",
    "queue count",
    "queue count agents [queue_name] [status] [state]",
    "queue count members [queue_name]",
    "queue count tiers [queue_name]",
)
CC_CONFIG_API_SYNTAX = "callcenter_config <target> <args>,\n" + " | \n".join(
    "\tcallcenter_config " + line for line in USAGE_LINES)
USAGE = "-USAGE: \n" + CC_CONFIG_API_SYNTAX + "\n"

QUEUE_LIST_HEADER = (
    "name|strategy|moh_sound|time_base_score|tier_rules_apply|tier_rule_wait_second|"
    "tier_rule_wait_multiply_level|tier_rule_no_agent_no_wait|discard_abandoned_after|"
    "abandoned_resume_allowed|max_wait_time|max_wait_time_with_no_agent|"
    "max_wait_time_with_no_agent_time_reached|record_template|calls_answered|calls_abandoned|"
    "ring_progressively_delay|skip_agents_with_external_calls|agent_no_answer_status\n"
)

_UNESCAPE = {"n": "\n", "r": "\r", "t": "\t", "s": " "}


def _cleanup(token: str, delim: str | None) -> str:
    """`cleanup_separated_string`: strip quotes, unescape, trim spaces (switch_utils.c)."""
    i, out, end, inside = 0, [], None, False
    while i < len(token) and token[i] == " ":
        i += 1
    while i < len(token):
        ch = token[i]
        if ch == "\\" and i + 1 < len(token):
            nxt = token[i + 1]
            if nxt in ("'", '"', "\\") or (delim and nxt == delim) or nxt in _UNESCAPE:
                out.append(_UNESCAPE.get(nxt, nxt))
                end = len(out)
                i += 2
                continue
        if ch == "'" and (inside or "'" in token[i + 1:]):
            inside = not inside
            if inside:
                end = len(out)
        else:
            out.append(ch)
            if ch != " " or inside:
                end = len(out)
        i += 1
    return "".join(out if end is None else out[:end])


def separate_string(buf: str, delim: str = " ", arraylen: int = 8) -> list[str]:
    """`switch_separate_string` as `cc_config_api_function` calls it (argv[8]).

    Single quotes group and are removed; double quotes are ordinary characters; a backslash
    escapes the next character; the last token keeps the rest of the line. Only the blank
    delimiter is implemented (the one callcenter_config uses), plus the `^^<d>` prefix that
    switches to another single-character delimiter.
    """
    if buf.startswith("^^") and len(buf) > 3:
        delim, buf = buf[2], buf[3:]
    tokens: list[str] = []
    if delim != " ":
        return _separate_char(buf, delim, arraylen)
    i, n = 0, len(buf)
    while i < n and len(tokens) < arraylen:
        start = i
        while i < n and buf[i] == " ":
            i += 1
        inside = False
        while i < n:
            if buf[i] == "\\":
                i += 2
                continue
            if buf[i] == "'":
                inside = not inside
            elif buf[i] == " " and not inside:
                break
            i += 1
        last = len(tokens) == arraylen - 1
        tokens.append(buf[start:] if last else buf[start:i])
        while i < n and buf[i] == " ":
            i += 1
    return [_cleanup(t, None) for t in tokens]


def _separate_char(buf: str, delim: str, arraylen: int) -> list[str]:
    """`separate_string_char_delim`: the same with a non-blank delimiter."""
    tokens: list[str] = []
    i, n, start, inside = 0, len(buf), 0, False
    while i < n and len(tokens) < arraylen - 1:
        ch = buf[i]
        if ch == "\\":
            i += 2
            continue
        if ch == "'" and (inside or "'" in buf[i + 1:]):
            inside = not inside
        elif ch == delim and not inside:
            tokens.append(buf[start:i])
            start = i + 1
        i += 1
    if start < n:
        tokens.append(buf[start:])
    return [_cleanup(t, delim) for t in tokens]


def text(value: object) -> str:
    """A column as the list callback prints it: NULL shows as an empty field (see capture)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def pipe_table(rows: Sequence[Sequence[tuple[str, object]]]) -> str:
    """`list_result_callback`: header line only when a row exists, fields joined by `|`."""
    if not rows:
        return ""
    lines = ["|".join(name for name, _v in rows[0])]
    lines += ["|".join(text(v) for _n, v in row) for row in rows]
    return "\n".join(lines) + "\n"


def table_rows(rows: Iterable[Agent | Tier | Member]) -> list[list[tuple[str, object]]]:
    return [list(columns(row)) for row in rows]


def member_rows(members: Iterable[Member], scores: Iterable[int]) -> list[list[tuple[str, object]]]:
    """`SELECT *, (now-joined_epoch)+base_score+skill_score AS score FROM members`."""
    return [[*columns(m), ("score", s)] for m, s in zip(members, scores, strict=True)]


def queue_row(q: Queue) -> str:
    """One `queue list` line, the printf of `cc_config_api_function`."""
    fields = (q.name, q.strategy, q.moh_sound, q.time_base_score, q.tier_rules_apply,
              q.tier_rule_wait_second, q.tier_rule_wait_multiply_level,
              q.tier_rule_no_agent_no_wait, q.discard_abandoned_after,
              q.abandoned_resume_allowed, q.max_wait_time, q.max_wait_time_with_no_agent,
              q.max_wait_time_with_no_agent_time_reached, q.record_template, q.calls_answered,
              q.calls_abandoned, q.ring_progressively_delay,
              q.skip_agents_with_external_calls, q.agent_no_answer_status)
    return "|".join(text(f) for f in fields) + "\n"


def queue_json(q: Queue) -> dict[str, Any]:
    """One object of the JSON `queue list`: cJSON strings and numbers, NULL strings left out."""
    flag = text
    obj: dict[str, Any] = {
        "name": q.name, "strategy": q.strategy, "moh_sound": q.moh_sound,
        "time_base_score": q.time_base_score, "tier_rules_apply": flag(q.tier_rules_apply),
        "tier_rule_wait_second": q.tier_rule_wait_second,
        "tier_rule_wait_multiply_level": flag(q.tier_rule_wait_multiply_level),
        "tier_rule_no_agent_no_wait": flag(q.tier_rule_no_agent_no_wait),
        "discard_abandoned_after": q.discard_abandoned_after,
        "abandoned_resume_allowed": flag(q.abandoned_resume_allowed),
        "max_wait_time": q.max_wait_time,
        "max_wait_time_with_no_agent": q.max_wait_time_with_no_agent,
        "max_wait_time_with_no_agent_time_reached": q.max_wait_time_with_no_agent_time_reached,
        "record_template": q.record_template,
        "skip_agents_with_external_calls": flag(q.skip_agents_with_external_calls),
        "agent_no_answer_status": q.agent_no_answer_status,
    }
    return {k: v for k, v in obj.items() if v is not None}


def json_rows(rows: Sequence[Sequence[tuple[str, object]]]) -> list[dict[str, str]]:
    """`list_result_json_callback`: every column a string; `cJSON_CreateString(NULL)` fails, so
    NULL columns are simply missing (the capture's agent has no "uuid" key)."""
    return [{n: text(v) for n, v in row if v is not None} for row in rows]


def cjson(value: Any) -> str:
    """`cJSON_PrintUnformatted`: compact, UTF-8 kept, integral numbers without a fraction."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**31:
        value = int(value)
    if isinstance(value, dict):
        return cjson_object(list(value.items()))
    if isinstance(value, list):
        return "[" + ",".join(cjson(v) for v in value) + "]"
    return json.dumps(value, ensure_ascii=False)


def cjson_object(pairs: Sequence[tuple[str, Any]]) -> str:
    """An object from (key, value) pairs, so a repeated key prints twice as cJSON allows."""
    return "{" + ",".join(json.dumps(k, ensure_ascii=False) + ":" + cjson(v)
                          for k, v in pairs) + "}"
